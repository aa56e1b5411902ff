using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace Granary.Storage.Scrub;

/// <summary>
/// Finds blobs that rot on disk after they were stored: re-reads each stored blob at a gentle pace
/// (<see cref="ScrubOptions.BytesPerSecond"/>) once its last verification is older than
/// <see cref="ScrubOptions.Interval"/>, and checks its data against its hash and its outboard against
/// the data (<see cref="BlobStore.VerifyStoredAsync"/>). A copy that fails is quarantined at once, so
/// it is never served again, and handed to <c>restore</c> — in a cluster, a repair that fetches a
/// verified copy from another replica; a silo alone keeps it marked damaged and answers requests
/// for it with that. The idea is ZFS's and Ceph's scrub: verify in the background what nobody reads.
/// </summary>
public sealed partial class BlobScrubber : IDisposable
{
    /// <summary>The meter of the scrub's instruments, <c>Granary.Storage</c>.</summary>
    public const string MeterName = "Granary.Storage";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> ScrubIo = Meter.CreateCounter<long>("granary.scrub.io", "By", "Bytes of stored blobs re-read by the scrubber.");
    private static readonly Counter<long> Scrubbed = Meter.CreateCounter<long>("granary.scrub.blobs", "{blob}", "Blobs re-verified by the scrubber, by outcome (ok, damaged).");

    private readonly BlobStore _store;
    private readonly ScrubOptions _options;
    private readonly Func<Blake3Hash, CancellationToken, Task<bool>>? _restore;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TokenBucketRateLimiter? _pace;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<Blake3Hash, DateTimeOffset> _deferred = [];
    private readonly Lock _scrubAllGate = new();
    private Task<ScrubReport>? _scrubAll;

    /// <summary>A scrubber of <paramref name="store"/>.</summary>
    /// <param name="store">The store to verify.</param>
    /// <param name="options">Pace and interval; validated here.</param>
    /// <param name="logger">Where damage and restores are reported.</param>
    /// <param name="restore">Called after a damaged copy was quarantined; true if a verified copy is back (a cluster's repair). Null for a silo alone.</param>
    /// <param name="time">The clock; the system's by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="options"/> are out of range (<see cref="ScrubOptions.Validate"/>).</exception>
    public BlobScrubber(BlobStore store, ScrubOptions options, ILogger logger, Func<Blake3Hash, CancellationToken, Task<bool>>? restore = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        (_store, _options, _logger, _restore, _time) = (store, options, logger, restore, time ?? TimeProvider.System);
        if (options.BytesPerSecond > 0)
        {
            // One permit per KiB, refilled ten times a second; a bucket holds at least one read.
            int perSecond = (int)Math.Min(int.MaxValue / 2, options.BytesPerSecond / 1024);
            _pace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(PacedReadStream.MaxRead / 1024, perSecond / 4),
                TokensPerPeriod = Math.Max(1, perSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
    }

    /// <summary>
    /// The background scrub: until cancelled, verifies the blobs that are due, longest unverified
    /// first, at the configured pace; sleeps <see cref="ScrubOptions.IdleWait"/> (or the interval, if
    /// shorter) when none is due. A blob it cannot finish reading (a read error, not a verdict) is
    /// tried again after the idle wait, behind the others; nothing one blob does stops the loop.
    /// Returns at once if the pace is 0 (off).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_pace is null)
        {
            return;
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        TimeSpan idle = _options.IdleWait < _options.Interval ? _options.IdleWait : _options.Interval;
        while (!both.IsCancellationRequested)
        {
            int scrubbed = 0;
            try
            {
                DateTimeOffset now = _time.GetUtcNow();
                int deferredCount;
                lock (_deferred)
                {
                    foreach (Blake3Hash ready in _deferred.Where(d => d.Value <= now).Select(d => d.Key).ToList())
                    {
                        _deferred.Remove(ready);
                    }

                    deferredCount = _deferred.Count;
                }

                // Enough rows that the deferred ones, still at the front, do not crowd out the rest.
                IReadOnlyList<BlobInfo> due = await _store.DueForScrubAsync(now - _options.Interval, 64 + deferredCount, both.Token).ConfigureAwait(false);
                foreach (BlobInfo blob in due)
                {
                    bool deferred;
                    lock (_deferred)
                    {
                        deferred = _deferred.ContainsKey(blob.Hash);
                    }

                    if (!deferred)
                    {
                        await ScrubOneAsync(blob, _pace, both.Token).ConfigureAwait(false);
                        scrubbed++;
                    }
                }
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // The background scrub must outlive any one failure (the metadata database busy, a bug): log, wait, go on.
            catch (Exception error)
#pragma warning restore CA1031
            {
                ScrubFailed(_logger, error.Message);
            }

            if (scrubbed == 0)
            {
                // Never longer than the interval: a blob stored just now is due that much later.
                await Task.Delay(idle, _time, both.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Verifies every blob stored now, at full speed (<c>granary scrub --now</c>), whatever its last
    /// verification; damaged copies are quarantined and restored as in the background scrub. One such
    /// pass at a time: a caller that comes while one runs waits for that one's report, and a caller
    /// that stops waiting does not stop the pass (others may be waiting on it; the silo stopping does).
    /// </summary>
    /// <param name="cancellationToken">Stops this caller's wait, not the pass.</param>
    /// <exception cref="OperationCanceledException">The caller stopped waiting, or the silo is stopping.</exception>
    public Task<ScrubReport> ScrubAllAsync(CancellationToken cancellationToken)
    {
        Task<ScrubReport> pass;
        lock (_scrubAllGate)
        {
            if (_scrubAll is null || _scrubAll.IsCompleted)
            {
                _scrubAll = Task.Run(() => ScrubEverythingAsync(_stop.Token));
            }

            pass = _scrubAll;
        }

        return pass.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Cancel first: a scrub still running (a request mid-pass) ends with cancellation, not with disposed objects.
        _stop.Cancel();
        _pace?.Dispose();
        _stop.Dispose();
    }

    private async Task<ScrubReport> ScrubEverythingAsync(CancellationToken cancellationToken)
    {
        long checkedBlobs = 0, bytes = 0;
        int restored = 0, unread = 0;
        var damaged = new List<BlobDamage>();
        foreach (Blake3Hash hash in await _store.HashesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await _store.RecordAsync(hash, cancellationToken).ConfigureAwait(false) is not { } blob)
            {
                continue; // deleted meanwhile
            }

            ScrubOutcome outcome = await ScrubOneAsync(blob, pace: null, cancellationToken).ConfigureAwait(false);
            checkedBlobs++;
            bytes += outcome.Read;
            unread += outcome.Unread ? 1 : 0;
            if (outcome.Damage is { } damage)
            {
                damaged.Add(damage);
                restored += outcome.Restored ? 1 : 0;
            }
        }

        return new ScrubReport(checkedBlobs, bytes, damaged, restored, await _store.ListDamagedAsync(cancellationToken).ConfigureAwait(false), unread);
    }

    private async Task<ScrubOutcome> ScrubOneAsync(BlobInfo blob, RateLimiter? pace, CancellationToken cancellationToken)
    {
        // One blob at a time, background and on demand together: scrubbing is a disk's spare time.
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        PacedReadStream? reading = null;
        string? problem;
        try
        {
            // At most one byte past the blob's size: a file grown without end is judged, not read to its end.
            problem = await _store.VerifyStoredAsync(blob, data => reading = new PacedReadStream(data, pace, blob.Size + 1), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            // A read that failed midway is not a verdict (it may pass next time): try it later, behind the rest.
            lock (_deferred)
            {
                _deferred[blob.Hash] = _time.GetUtcNow() + _options.IdleWait;
            }

            Unreadable(_logger, blob.Hash, error.Message);
            return new ScrubOutcome(reading?.BytesRead ?? 0, null, false, Unread: true);
        }
        finally
        {
            _oneAtATime.Release();
        }

        long read = reading?.BytesRead ?? 0;
        ScrubIo.Add(read);
        Scrubbed.Add(1, new KeyValuePair<string, object?>("granary.outcome", problem is null ? "ok" : "damaged"));
        if (problem is null || await _store.QuarantineAsync(blob.Hash, problem, cancellationToken).ConfigureAwait(false) is not { } damage)
        {
            return new ScrubOutcome(read, null, false, Unread: false);
        }

        bool restored = false;
        if (_restore is not null)
        {
            try
            {
                restored = await _restore(blob.Hash, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A restore that fails (the cluster unreachable) leaves the blob to the repair passes; the scrub goes on.
            catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
            {
                RestoreFailed(_logger, blob.Hash, error.Message);
            }

            if (restored)
            {
                Restored(_logger, blob.Hash);
            }
        }

        return new ScrubOutcome(read, damage, restored, Unread: false);
    }

    /// <summary>What scrubbing one blob came to.</summary>
    private readonly record struct ScrubOutcome(long Read, BlobDamage? Damage, bool Restored, bool Unread);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrub: blob {Hash} could not be read to its end ({Reason}); trying it again later")]
    private static partial void Unreadable(ILogger logger, Blake3Hash hash, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrub: a pass failed ({Reason}); trying again later")]
    private static partial void ScrubFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrub: blob {Hash} could not be restored from another replica yet ({Reason}); the repair passes keep trying")]
    private static partial void RestoreFailed(ILogger logger, Blake3Hash hash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scrub: blob {Hash} restored from a healthy replica")]
    private static partial void Restored(ILogger logger, Blake3Hash hash);
}
