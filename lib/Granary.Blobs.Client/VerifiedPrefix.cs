using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// The contiguous verified prefix of a download's file, filled in order (one silo) or out of order
/// (pieces from several providers), around the ranges an earlier attempt left that still verify.
/// Writers report what is verified and written; once the prefix has grown by <c>checkpointBytes</c>
/// since the last record, the file is fsynced and the prefix recorded (<see cref="DownloadCheckpoint"/>).
/// </summary>
internal sealed class VerifiedPrefix : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SortedDictionary<long, long> _done = [];
    private readonly SafeFileHandle _file;
    private readonly DownloadCheckpoint _checkpoint;
    private readonly long _checkpointBytes;
    private long _prefix;
    private long _recorded;

    /// <summary>Starts from what an earlier attempt left (<paramref name="check"/>: its kept ranges count as done).</summary>
    public VerifiedPrefix(SafeFileHandle file, DownloadCheckpoint checkpoint, PartialCheck check, long checkpointBytes)
    {
        _file = file;
        _checkpoint = checkpoint;
        _checkpointBytes = checkpointBytes;
        _prefix = _recorded = check.Prefix;
        foreach (var (start, end) in check.KeptRanges.Where(r => r.Start >= _prefix))
        {
            _done[start] = end;
        }
    }

    /// <summary>Bytes [<paramref name="from"/>, <paramref name="to"/>) are verified and written.</summary>
    public async Task CompletedAsync(long from, long to, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _done[from] = to;
            while (_done.Remove(_prefix, out long end))
            {
                _prefix = end;
            }

            if (_prefix - _recorded >= _checkpointBytes)
            {
                // Durable first, then claimed: the record never covers bytes that could be lost.
                RandomAccess.FlushToDisk(_file);
                await _checkpoint.RecordAsync(_prefix, cancellationToken).ConfigureAwait(false);
                _recorded = _prefix;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Records the verified prefix now, whatever its size: called when a download stops early
    /// (Ctrl-C, a lost silo), so the next attempt resumes from everything verified so far rather
    /// than from the last 8 MiB checkpoint. A failure here is dropped: the stop's own error is
    /// the one to report, and the older record stays true.
    /// </summary>
    public async Task SaveAsync()
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_prefix > _recorded)
            {
                RandomAccess.FlushToDisk(_file);
                await _checkpoint.RecordAsync(_prefix, CancellationToken.None).ConfigureAwait(false);
                _recorded = _prefix;
            }
        }
        catch (IOException)
        {
            // Kept as it was: the last checkpoint still holds.
        }
        catch (UnauthorizedAccessException)
        {
            // Kept as it was: the last checkpoint still holds.
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();
}
