using Granary.Grains.Cluster;
using Granary.Grains.Placement;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Blobs;

/// <summary>
/// Keeps every blob at R copies from this silo's side. At start it reports the blobs on its disk
/// to their grains (a restarted silo's copies count again, and it adopts the cluster's record of
/// each, so an extend made while it was away reaches it). Then, after every membership change and
/// every <see cref="BlobClusterOptions.RepairInterval"/>, it asks the grains of its own blobs to
/// repair — never a scan of every blob in the cluster: after a change only the blobs whose
/// placement changed, on the timer the blobs this silo ranks first for (plus last pass's backlog),
/// so the cost of a death grows with the blobs the dead silo shared, not with the cluster.
/// A draining silo's blobs all move; once its store is empty it leaves (<see cref="Left"/>).
/// </summary>
public sealed partial class RepairService(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ClusterView view,
    BlobStore store,
    RepairBacklog backlog,
    BlobClusterOptions options,
    TimeProvider time,
    ILogger<RepairService> logger) : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<Blake3Hash> _short = [];

    /// <summary>Completes when this silo has drained: every blob it held is on R other silos.</summary>
    public Task Left => _left.Task;

    /// <summary>Runs until cancelled or this silo has drained.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            backlog.Count = 0;
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
            return;
        }

        backlog.RepairRequested += Wake;
        try
        {
            Task watching = WatchMembershipAsync(cancellationToken);
            await ReconcileLocalBlobsAsync(cancellationToken).ConfigureAwait(false);
            long reconciled = time.GetTimestamp();
            IReadOnlyList<ClusterSilo> before = view.PlacementTargets;
            bool changed = false; // the first pass is a full one: every blob this silo ranks first for or must move
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    view.SetDraining(await grains.ClusterGrain().DrainingAsync().WaitAsync(cancellationToken).ConfigureAwait(false));
                    if (time.GetElapsedTime(reconciled) >= options.ReconcileInterval)
                    {
                        await ReconcileLocalBlobsAsync(cancellationToken).ConfigureAwait(false);
                        reconciled = time.GetTimestamp();
                    }

                    IReadOnlyList<ClusterSilo> now = view.PlacementTargets;
                    await PassAsync(changed ? before : null, now, cancellationToken).ConfigureAwait(false);
                    before = now;
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

                changed = await _wake.WaitAsync(options.RepairInterval, cancellationToken).ConfigureAwait(false);
                await Task.Delay(options.RepairDebounce, time, cancellationToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await watching.ConfigureAwait(false);
        }
        finally
        {
            backlog.RepairRequested -= Wake;
        }
    }

    /// <summary>
    /// One repair pass over this silo's own blobs. With <paramref name="before"/> (the placement
    /// targets at the last pass), the blobs whose top-R placement changed or whose likely stand-in left; without it, the blobs
    /// this silo ranks first for. Either way also the blobs that were short last time and, on a
    /// draining silo, all of them. Returns how many are still short of R copies.
    /// </summary>
    public async Task<long> PassAsync(IReadOnlyList<ClusterSilo>? before, IReadOnlyList<ClusterSilo> now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(now);
        long started = time.GetTimestamp();
        string self = view.Self.Node.ToString();
        bool draining = view.SelfDraining;
        HashSet<Blake3Hash> lastShort = _short;
        var departed = before?.Where(b => !now.Any(n => n.Address.Equals(b.Address))).Select(b => b.Ticket.Node.ToString()).ToHashSet() ?? [];
        var selected = new List<Blake3Hash>();
        foreach (Blake3Hash hash in await store.HashesAsync(cancellationToken).ConfigureAwait(false))
        {
            string key = Rendezvous.BlobKey(hash);
            List<string> ideal = Ideal(key, now);
            bool pick = draining || lastShort.Contains(hash) || !ideal.Contains(self) || (before is null
                ? ideal.Count > 0 && ideal[0] == self
                : !ideal.SequenceEqual(Ideal(key, before)) || ideal.Any(departed.Contains) || LostAStandIn(key, before, departed));
            if (pick)
            {
                selected.Add(hash);
            }
        }

        var stillShort = new HashSet<Blake3Hash>();
        await Parallel.ForEachAsync(
            selected, new ParallelOptions { MaxDegreeOfParallelism = options.RepairConcurrency, CancellationToken = cancellationToken }, async (hash, ct) =>
            {
                try
                {
                    RepairOutcome outcome = await grains.BlobGrain(hash).RepairAsync().WaitAsync(ct).ConfigureAwait(false);
                    if (outcome.ShortOfReplicas)
                    {
                        lock (stillShort)
                        {
                            stillShort.Add(hash);
                        }
                    }
                }
#pragma warning disable CA1031 // A blob whose repair failed (its grain's silo died mid-call, a timeout) is retried next pass.
                catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    lock (stillShort)
                    {
                        stillShort.Add(hash);
                    }

                    RepairFailed(logger, hash.ToString(), error.Message);
                }
            }).ConfigureAwait(false);

        _short = stillShort;
        backlog.Count = stillShort.Count;
        TimeSpan took = time.GetElapsedTime(started);
        if (selected.Count > 0 || stillShort.Count > 0)
        {
            PassDone(logger, selected.Count, stillShort.Count, took.TotalMilliseconds);
        }
        return stillShort.Count;
    }

    /// <inheritdoc/>
    public void Dispose() => _wake.Dispose();

    private List<string> Ideal(string key, IReadOnlyList<ClusterSilo> targets) =>
        [.. Rendezvous.Rank(key, targets).Take(options.Replicas).Select(s => s.Ticket.Node.ToString())];

    /// <summary>
    /// True if a silo that left ranked just below the ideal targets, where stand-ins are chosen:
    /// it may have held a copy in place of an ideal target that never got one, and then the ideal
    /// set does not change although a copy was lost.
    /// </summary>
    private bool LostAStandIn(string key, IReadOnlyList<ClusterSilo> before, HashSet<string> departed) =>
        departed.Count > 0 && Rendezvous.Rank(key, before).Skip(options.Replicas).Take(options.Replicas).Any(s => departed.Contains(s.Ticket.Node.ToString()));

    private void Wake() => _wake.Release();

    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            MembershipVersion seen = membership.CurrentSnapshot.Version;
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // Orleans republishes the snapshot on every table refresh; only a new version is a change.
                if (snapshot.Version != seen)
                {
                    seen = snapshot.Version;
                    Wake();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Anti-entropy with the cluster's records (at start and every <see cref="BlobClusterOptions.ReconcileInterval"/>):
    /// tells each local blob's grain that this silo holds a copy, and makes the local row agree with
    /// the grain's record — a later expiry, the uploader and tags — so changes made while this silo
    /// was unreachable reach it. A blob deleted meanwhile is removed here (the grain also drops it).
    /// </summary>
    public async Task ReconcileLocalBlobsAsync(CancellationToken cancellationToken)
    {
        var self = view.Self.Node;
        await Parallel.ForEachAsync(
            await store.HashesAsync(cancellationToken).ConfigureAwait(false),
            new ParallelOptions { MaxDegreeOfParallelism = options.RepairConcurrency, CancellationToken = cancellationToken },
            async (hash, ct) =>
            {
                // Expired rows too: the cluster may have extended the blob while this silo was away.
                if (await store.RecordAsync(hash, ct).ConfigureAwait(false) is not { } blob)
                {
                    return; // deleted meanwhile
                }

                try
                {
                    BlobRegistered registered = await grains.BlobGrain(hash).RegisterAsync(new BlobRegistration(BlobFacts.From(blob), self, RequireReplicas: false)).WaitAsync(ct).ConfigureAwait(false);
                    if (registered.Facts != BlobFacts.From(blob) && await store.AdoptAsync(registered.Facts.ToBlobInfo(hash), ct).ConfigureAwait(false) is { } adopted)
                    {
                        Adopted(logger, hash, adopted.Expires);
                    }
                }
                catch (BlobGrainException error) when (error.Status == Granary.Blobs.Protocol.BlobStatus.Gone)
                {
                    // Deleted while this silo was away: no resurrection, and no space kept for it.
                    await store.DeleteAsync(hash, ct).ConfigureAwait(false);
                    DroppedDeleted(logger, hash);
                }
                catch (BlobGrainException error)
                {
                    RepairFailed(logger, hash.ToString(), $"report: {error.Message}");
                }
#pragma warning disable CA1031 // One blob's report failing (a silo dying mid-call) must not stop the others; the repair passes retry.
                catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    RepairFailed(logger, hash.ToString(), $"report: {error.Message}");
                }
            }).ConfigureAwait(false);
    }

    private async Task<bool> DrainedAsync(CancellationToken cancellationToken)
    {
        if (!view.SelfDraining)
        {
            return false;
        }

        (long blobs, _) = await store.StatsAsync(cancellationToken).ConfigureAwait(false);
        if (blobs > 0)
        {
            Draining(logger, blobs);
            return false;
        }

        Drained(logger);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repair pass: {Checked} blobs checked, {Backlog} below R, {Milliseconds:0} ms")]
    private static partial void PassDone(ILogger logger, long @checked, long backlog, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repair pass failed: {Reason}")]
    private static partial void PassFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Repair of blob {Key} failed: {Reason}")]
    private static partial void RepairFailed(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob {Hash}: adopted the cluster's record (expires {Expires:u})")]
    private static partial void Adopted(ILogger logger, Blake3Hash hash, DateTimeOffset expires);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob {Hash}: deleted in the cluster while this silo was away; removed here")]
    private static partial void DroppedDeleted(ILogger logger, Blake3Hash hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: {Blobs} blobs still here")]
    private static partial void Draining(ILogger logger, long blobs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: every blob is held elsewhere; this silo leaves the cluster")]
    private static partial void Drained(ILogger logger);
}
