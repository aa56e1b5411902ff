using Granary.Blobs.Protocol;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Blobs;

/// <summary>
/// Keeps every blob at R copies. At start it reports the blobs on this silo's disk to their
/// grains (a restarted silo's copies count again). Then, after every view change and every
/// <see cref="BlobClusterOptions.RepairInterval"/>, it asks each blob grain this silo owns to
/// repair: copy to placement targets that lack the blob, then drop extras. A draining silo
/// leaves (status Dead) once its store is empty.
/// </summary>
public sealed partial class RepairService(
    GrainRuntime runtime, BlobStore store, BlobReplicator replicator, BlobClusterOptions options, ILogger<RepairService> logger) : IDisposable
{
    private const int PageSize = 500;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Completes when this silo has drained and left the cluster.</summary>
    public Task Left => _left.Task;

    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs until cancelled or this silo has drained.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            replicator.RepairBacklog = 0;
            await Task.Delay(Timeout.InfiniteTimeSpan, runtime.Time, cancellationToken).ConfigureAwait(false);
            return;
        }

        runtime.ViewChanged += _ => _wake.Release();
        await ReportLocalBlobsAsync(cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(options.RepairInterval, cancellationToken).ConfigureAwait(false);
            await Task.Delay(options.RepairDebounce, runtime.Time, cancellationToken).ConfigureAwait(false);
            while (_wake.CurrentCount > 0)
            {
                await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await PassAsync(cancellationToken).ConfigureAwait(false);
                if (await DrainedAsync(cancellationToken).ConfigureAwait(false))
                {
                    _left.TrySetResult();
                    return;
                }
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                PassFailed(logger, error.Message);
            }
        }
    }

    /// <summary>One repair pass over the blob grains this silo owns; returns how many are below R.</summary>
    public async Task<long> PassAsync(CancellationToken cancellationToken)
    {
        long backlog = 0;
        long checkedBlobs = 0;
        long started = runtime.Time.GetTimestamp();
        string after = string.Empty;
        while (true)
        {
            IReadOnlyList<string> keys = await runtime.StateStore.ListKeysAsync(BlobGrain.TypeName, after, PageSize, cancellationToken).ConfigureAwait(false);
            if (keys.Count == 0)
            {
                break;
            }

            after = keys[^1];
            var owned = keys.Select(k => new GrainId(BlobGrain.TypeName, k)).Where(g => Placement.Owner(g, runtime.View)?.Incarnation == runtime.Self).ToList();
            checkedBlobs += owned.Count;

            // A few grains at a time: copies of different blobs overlap (network, disk, hashing).
            await Parallel.ForEachAsync(
                owned, new ParallelOptions { MaxDegreeOfParallelism = options.RepairConcurrency, CancellationToken = cancellationToken }, async (grain, ct) =>
                {
                    try
                    {
                        BlobMessage result = await runtime.CallAsync(grain, "repair", new BlobMessage([]), options.CopyTimeout, ct).ConfigureAwait(false);
                        if ((result.Number("copies") ?? 0) < (result.Number("wanted") ?? 0))
                        {
                            Interlocked.Increment(ref backlog);
                        }
                    }
                    catch (Exception error) when (error is BlobProtocolException or TimeoutException or QuicException)
                    {
                        Interlocked.Increment(ref backlog);
                        RepairFailed(logger, grain.Key, error.Message);
                    }
                }).ConfigureAwait(false);
        }

        replicator.RepairBacklog = backlog;
        double milliseconds = runtime.Time.GetElapsedTime(started).TotalMilliseconds;
        PassDone(logger, checkedBlobs, backlog, milliseconds);
        return backlog;
    }

    /// <inheritdoc/>
    public void Dispose() => _wake.Dispose();

    /// <summary>Tells each blob's grain that this silo holds a copy (after a restart, its copies count again).</summary>
    private async Task ReportLocalBlobsAsync(CancellationToken cancellationToken)
    {
        foreach (Blake3Hash hash in await store.HashesAsync(cancellationToken).ConfigureAwait(false))
        {
            BlobInfo blob;
            try
            {
                blob = await store.InfoAsync(hash, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobStoreException)
            {
                continue; // expired: the sweeper removes it
            }

            try
            {
                await runtime.CallAsync(BlobGrain.For(hash), "register", new BlobMessage(
                [
                    new("size", blob.Size), new("created", blob.Created.ToUnixTimeMilliseconds()), new("expires", blob.Expires.ToUnixTimeMilliseconds()),
                    new("uploader", blob.Uploader ?? string.Empty), new("tags", blob.Tags), new("holder", runtime.Self.Node.ToString()),
                ]), options.CopyTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is BlobProtocolException or TimeoutException or QuicException)
            {
                RepairFailed(logger, hash.ToString(), $"report: {error.Message}");
            }
        }
    }

    private async Task<bool> DrainedAsync(CancellationToken cancellationToken)
    {
        if (runtime.View.Find(runtime.Self)?.Status != SiloStatus.ShuttingDown)
        {
            return false;
        }

        (long blobs, _) = await store.StatsAsync(cancellationToken).ConfigureAwait(false);
        if (blobs > 0)
        {
            Draining(logger, blobs);
            return false;
        }

        await runtime.Membership.LeaveAsync(cancellationToken).ConfigureAwait(false);
        Drained(logger);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repair pass: {Checked} owned blobs checked, {Backlog} below R, {Milliseconds:0} ms")]
    private static partial void PassDone(ILogger logger, long @checked, long backlog, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repair pass failed: {Reason}")]
    private static partial void PassFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repair of blob {Key} failed: {Reason}")]
    private static partial void RepairFailed(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: {Blobs} blobs still here")]
    private static partial void Draining(ILogger logger, long blobs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: every blob is held elsewhere; this silo leaves the cluster")]
    private static partial void Drained(ILogger logger);
}
