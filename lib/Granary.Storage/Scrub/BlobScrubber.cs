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
    /// first, at the configured pace; sleeps <see cref="ScrubOptions.IdleWait"/> (or the interval, if shorter) when none is due.
    /// Returns at once if the pace is 0 (off).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_pace is null)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<BlobInfo> due;
            try
            {
                due = await _store.DueForScrubAsync(_time.GetUtcNow() - _options.Interval, 64, cancellationToken).ConfigureAwait(false);
                foreach (BlobInfo blob in due)
                {
                    await ScrubOneAsync(blob, _pace, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (IOException error)
            {
                // The disk failing is not a verdict on a blob: say so, and try again later.
                ScrubFailed(_logger, error.Message);
                due = [];
            }

            if (due.Count == 0)
            {
                // Never longer than the interval: a blob stored just now is due that much later.
                await Task.Delay(_options.IdleWait < _options.Interval ? _options.IdleWait : _options.Interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Verifies every blob stored now, at full speed (<c>granary scrub --now</c>), whatever its last
    /// verification; damaged copies are quarantined and restored as in the background scrub.
    /// </summary>
    /// <param name="progress">Told after each blob: (blobs checked, bytes read).</param>
    /// <param name="cancellationToken">Stops the scrub; what was found so far stays found.</param>
    /// <exception cref="IOException">The disk could not be read.</exception>
    public async Task<ScrubReport> ScrubAllAsync(IProgress<(long Blobs, long Bytes)>? progress, CancellationToken cancellationToken)
    {
        long checkedBlobs = 0, bytes = 0;
        int restored = 0;
        var damaged = new List<BlobDamage>();
        foreach (Blake3Hash hash in await _store.HashesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await _store.RecordAsync(hash, cancellationToken).ConfigureAwait(false) is not { } blob)
            {
                continue; // deleted meanwhile
            }

            (long read, BlobDamage? damage, bool back) = await ScrubOneAsync(blob, pace: null, cancellationToken).ConfigureAwait(false);
            checkedBlobs++;
            bytes += read;
            if (damage is not null)
            {
                damaged.Add(damage);
                restored += back ? 1 : 0;
            }

            progress?.Report((checkedBlobs, bytes));
        }

        return new ScrubReport(checkedBlobs, bytes, damaged, restored);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _pace?.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task<(long Read, BlobDamage? Damage, bool Restored)> ScrubOneAsync(BlobInfo blob, RateLimiter? pace, CancellationToken cancellationToken)
    {
        // One blob at a time, background and on demand together: scrubbing is a disk's spare time.
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        PacedReadStream? reading = null;
        string? problem;
        try
        {
            problem = await _store.VerifyStoredAsync(blob, data => reading = new PacedReadStream(data, pace), cancellationToken).ConfigureAwait(false);
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
            return (read, null, false);
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

        return (read, damage, restored);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrub: the disk could not be read ({Reason}); trying again later")]
    private static partial void ScrubFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scrub: blob {Hash} could not be restored from another replica yet ({Reason}); the repair passes keep trying")]
    private static partial void RestoreFailed(ILogger logger, Blake3Hash hash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scrub: blob {Hash} restored from a healthy replica")]
    private static partial void Restored(ILogger logger, Blake3Hash hash);
}
