using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// The contiguous verified prefix of a file that is filled out of order (pieces from several
/// providers). Pieces report when they are verified and written; once the prefix has grown by
/// <c>checkpointBytes</c> since the last record, the file is fsynced and the prefix recorded, so
/// an interrupted multi-provider download resumes like a single-provider one.
/// </summary>
internal sealed class VerifiedPrefix(SafeFileHandle file, DownloadCheckpoint checkpoint, long start, long checkpointBytes) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SortedDictionary<long, long> _done = [];
    private long _prefix = start;
    private long _recorded = start;

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

            if (_prefix - _recorded >= checkpointBytes)
            {
                // Durable first, then claimed: the record never covers bytes that could be lost.
                RandomAccess.FlushToDisk(file);
                await checkpoint.RecordAsync(_prefix, cancellationToken).ConfigureAwait(false);
                _recorded = _prefix;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();
}
