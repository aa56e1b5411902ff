using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Cluster;
using Granary.Grains.Placement;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transport;

namespace Granary.Grains.Blobs;

/// <summary>The blobs protocol's view of the cluster (<see cref="IBlobCluster"/>), through blob grains and Orleans' membership.</summary>
/// <remarks>Grain failures that carry a protocol status (<see cref="BlobGrainException"/>) become <see cref="BlobProtocolException"/>s; Orleans' own (a silo gone mid-call, a timeout) become 503 "retry".</remarks>
public sealed class ClusterBlobs(IGrainFactory grains, ClusterView view, BlobClusterOptions options, BlobStore store) : IBlobCluster
{
    /// <inheritdoc/>
    public bool KeepsRecords => !options.Standalone;

    /// <inheritdoc/>
    public bool IsMember(NodeId node) => view.IsMember(node);

    /// <summary>
    /// For the expiry sweeper: the cluster's expiry of a blob this silo holds past its local expiry.
    /// A later one means an extend this silo missed (adopt it, keep the blob); the local expiry
    /// when the cluster says the blob expired or is gone; null when the cluster cannot be asked (keep it for now).
    /// </summary>
    public async Task<DateTimeOffset?> ConfirmExpiryAsync(BlobInfo local, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (options.Standalone)
        {
            return local.Expires;
        }

        try
        {
            BlobLocation? location = await grains.BlobGrain(local.Hash).LocateAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return location is null ? local.Expires : location.Facts.Expires;
        }
        catch (BlobGrainException error) when (error.Status == BlobStatus.Gone)
        {
            return local.Expires;
        }
#pragma warning disable CA1031 // Unreachable cluster: keeping an expired copy a little longer loses nothing; deleting one the cluster extended would.
        catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SiloTicket>> ReplicateAsync(BlobInfo stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (options.Standalone)
        {
            return [];
        }

        var facts = new BlobFacts(stored.Size, stored.Created, stored.Expires, stored.Uploader ?? string.Empty, stored.Tags);
        // With one copy per blob there is nothing to send along.
        byte[]? content = options.Replicas > 1 && options.InlineCopyLimit > 0 && stored.Size <= options.InlineCopyLimit
            ? await ReadSmallAsync(stored, cancellationToken).ConfigureAwait(false)
            : null;
        BlobRegistered registered = await CallAsync(
            () => grains.BlobGrain(stored.Hash).RegisterAsync(new BlobRegistration(facts, view.Self.Node, RequireReplicas: true, content)),
            "the upload is stored on this silo but not acknowledged", cancellationToken).ConfigureAwait(false);
        return registered.Replicas;
    }

    /// <summary>
    /// A small blob's bytes, just written and so in the page cache, for <see cref="BlobRegistration.Content"/>;
    /// null if they cannot be read (deleted meanwhile): the replicas then fetch them as for a large blob.
    /// </summary>
    private async Task<byte[]?> ReadSmallAsync(BlobInfo stored, CancellationToken cancellationToken)
    {
        try
        {
            using BlobReader reader = await store.OpenReaderAsync(stored.Hash, cancellationToken).ConfigureAwait(false);
            byte[] content = new byte[stored.Size];
            await reader.Data.ReadExactlyAtAsync(0, content, "stored blob", cancellationToken).ConfigureAwait(false);
            return content;
        }
        catch (Exception error) when (error is BlobStoreException or IOException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public bool PlacesUploads => !options.Standalone && view.PlacementTargets.Count > options.Replicas;

    /// <inheritdoc/>
    public IReadOnlyList<SiloTicket> UploadRedirect(Blake3Hash hash)
    {
        if (options.Standalone)
        {
            return [];
        }

        // The same ranking BlobGrain.EnsureReplicasAsync copies to, from this silo's view; a view
        // that differs elsewhere costs at most the copy this redirect was meant to save.
        IReadOnlyList<ClusterSilo> ranked = Rendezvous.Rank(Rendezvous.BlobKey(hash), view.PlacementTargets);
        List<ClusterSilo> targets = [.. ranked.Take(Math.Min(options.Replicas, ranked.Count))];
        return targets.Count == 0 || targets.Any(t => t.Address.Equals(view.SelfAddress)) ? [] : [.. targets.Select(t => t.Ticket)];
    }

    /// <inheritdoc/>
    public async Task<(BlobInfo Blob, IReadOnlyList<SiloTicket> Providers)?> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            return null; // no records: the local store answers
        }

        BlobLocation? location = await CallAsync(() => grains.BlobGrain(hash).LocateAsync(), "the cluster could not say where the blob is", cancellationToken).ConfigureAwait(false);
        return location is null ? null : (Describe(hash, location.Facts), location.Providers);
    }

    /// <summary>
    /// Brings a verified copy of a blob that this silo does not hold from the silos that do, through
    /// this silo's <see cref="IReplicaGrain.FetchAsync"/>: what a transfer channel needs to send a
    /// collection whose members were placed on other silos (each file lives where its own hash puts
    /// it), asked for only once the channel authorized the receiver's piece. The copy is not
    /// registered, so it is extra: the next reconciliation of this silo's blobs
    /// (<see cref="BlobClusterOptions.ReconcileInterval"/>) drops it again. Null alone, or if
    /// the cluster has no live record of the blob.
    /// </summary>
    /// <exception cref="BlobProtocolException">503: no holder could provide it, or the cluster could not be asked.</exception>
    public async Task<BlobInfo?> FetchHereAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            return null;
        }

        BlobLocation? location = await CallAsync(() => grains.BlobGrain(hash).LocateAsync(), "the cluster could not say where the blob is", cancellationToken).ConfigureAwait(false);
        if (location is null)
        {
            return null;
        }

        await CallAsync(() => grains.ReplicaGrain(view.SelfAddress).FetchAsync(new ReplicaFetch(hash, location.Facts, location.Providers)), "the blob could not be fetched to this silo", cancellationToken).ConfigureAwait(false);
        return await store.RecordAsync(hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After this silo quarantined its copy of a blob (a failed scrub): asks the blob's grain to
    /// repair now, which no longer counts this silo and copies a verified replica to wherever one is
    /// missing (often back here). True if the cluster holds R copies again; false alone or when no
    /// healthy copy is left.
    /// </summary>
    public async Task<bool> RestoreAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            return false;
        }

        RepairOutcome outcome = await CallAsync(() => grains.BlobGrain(hash).RepairAsync(), "the cluster could not repair the blob", cancellationToken).ConfigureAwait(false);
        return outcome.Copies > 0 && !outcome.ShortOfReplicas;
    }

    /// <inheritdoc/>
    public async Task<BlobInfo?> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            return null;
        }

        BlobLocation? location = await CallAsync(() => grains.BlobGrain(hash).ExtendAsync(ttl), "the extend did not reach the cluster", cancellationToken).ConfigureAwait(false);
        return location is null ? null : Describe(hash, location.Facts);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken) =>
        options.Standalone ? Task.FromResult(false) : CallAsync(() => grains.BlobGrain(hash).DeleteAsync(), "the delete did not reach the cluster", cancellationToken);

    /// <inheritdoc/>
    public async Task DrainAsync(string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!NodeId.TryParse(node, out NodeId id) || view.FindServing(id) is not { } silo)
        {
            throw new BlobProtocolException(BlobStatus.NotFound, $"no serving silo has node id '{node}'; see 'granary cluster status'");
        }

        int remaining = view.PlacementTargets.Count(s => !s.Address.Equals(silo.Address));
        if (remaining < options.Replicas)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"draining {id} would leave {remaining} silos for {options.Replicas} copies of every blob; add a silo first");
        }

        await CallAsync(() => grains.ClusterGrain().DrainAsync(silo.Address), "the drain mark was not stored", cancellationToken).ConfigureAwait(false);

        // Every silo re-reads the marks on its next pass: make that pass now rather than at the next interval.
        await Task.WhenAll(view.Silos.Where(s => s.Status == SiloStatus.Active).Select(s => grains.ReplicaGrain(s.Address).RepairSoonAsync())).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<ClusterStatus> StatusAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ClusterSilo> silos = view.Silos;
        SiloStatusInfo[] rows = await Task.WhenAll(silos.Select(async silo =>
        {
            var row = new SiloStatusInfo(
                silo.Ticket.Node.ToString(), silo.Ticket.Address.ToString(),
                silo.Draining && silo.Status == SiloStatus.Active ? "Draining" : silo.Status.ToString(),
                silo.Address.Generation, Blobs: -1, Bytes: -1, RepairBacklog: -1, Problem: null);
            if (silo.IsServing)
            {
                try
                {
                    SiloStats stats = await grains.ReplicaGrain(silo.Address).StatsAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
                    row = row with { Blobs = stats.Blobs, Bytes = stats.Bytes, RepairBacklog = stats.RepairBacklog };
                }
#pragma warning disable CA1031 // A silo that does not answer is reported as such; the others still are.
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    row = row with { Problem = $"did not answer: {error.Message}" };
                }
            }

            return row;
        })).ConfigureAwait(false);
        return new ClusterStatus(options.Standalone ? 1L : options.Replicas, view.Version, rows);
    }

    /// <summary>
    /// Calls a grain; maps its failures to the blobs protocol's. A call that failed because the
    /// grain's silo died (or its activation moved) is retried for up to <see cref="TransientRetryWindow"/>:
    /// once Orleans declares that silo dead (~1-2 s here) the grain reactivates on a live silo
    /// from its stored state. Every grain method is safe to repeat (register and extend are
    /// idempotent; a repeated delete finds the tombstone).
    /// </summary>
    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string unavailable, CancellationToken cancellationToken)
    {
        long started = Environment.TickCount64;
        TimeSpan pause = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (BlobGrainException error)
            {
                throw error.ToProtocolException();
            }
            catch (Exception error) when (error is not OperationCanceledException && !IsTransient(error))
            {
                // The grain's storage failed (database down, permissions): nothing was acknowledged; say retry.
                throw new BlobProtocolException(BlobStatus.Unavailable, $"{unavailable}: the cluster's database did not answer ({RootCause(error)}); retry it");
            }
            catch (Exception error) when (IsTransient(error))
            {
                if (TimeSpan.FromMilliseconds(Environment.TickCount64 - started) + pause > TransientRetryWindow)
                {
                    throw new BlobProtocolException(BlobStatus.Unavailable, $"{unavailable}: {error.Message}; retry it");
                }

                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    /// <summary>How long a grain call that failed on a dying silo is retried. Default 20 s: several death-detection periods.</summary>
    public static TimeSpan TransientRetryWindow { get; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The first line of the innermost exception's message ("Failed to connect to 10.0.0.5:5432"):
    /// Orleans' storage exceptions carry their inner exceptions' stack traces in their own message,
    /// which must not reach a client.
    /// </summary>
    private static string RootCause(Exception error)
    {
        Exception root = error;
        while (root.InnerException is { } inner)
        {
            root = inner;
        }

        string message = root.Message.Trim();
        int line = message.IndexOfAny(['\r', '\n']);
        return line < 0 ? message : message[..line].TrimEnd();
    }

    private static bool IsTransient(Exception error) =>
        error is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException
        || (error is OrleansException && error.Message.Contains("unavailable", StringComparison.OrdinalIgnoreCase));

    private static async Task CallAsync(Func<Task> call, string unavailable, CancellationToken cancellationToken) =>
        await CallAsync(async () => { await call().ConfigureAwait(false); return true; }, unavailable, cancellationToken).ConfigureAwait(false);

    private static BlobInfo Describe(Blake3Hash hash, BlobFacts facts) => new(hash, facts.Size, facts.Created, facts.Expires)
    {
        Uploader = facts.Uploader is { Length: > 0 } uploader ? uploader : null,
        Tags = facts.Tags,
    };
}
