using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Cluster;
using Granary.Grains.Hosting;
using Granary.Grains.Placement;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transport;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Granary.Grains.Blobs;

/// <summary>
/// <see cref="IReplicaGrain"/>: runs on the silo its key names (<see cref="SiloKeyedPlacement"/>)
/// and manages that silo's copies through its <see cref="BlobStore"/>. Reentrant: copies of
/// different blobs overlap (network, disk and hashing), and a long copy does not hold up a drop.
/// </summary>
[SiloKeyedPlacement]
[Reentrant]
public sealed partial class ReplicaGrain(
    BlobStore store,
    ConnectionPool connections,
    ClusterView view,
    BlobClusterOptions options,
    RepairBacklog backlog,
    TimeProvider time,
    ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain
{
    /// <inheritdoc/>
    public async Task FetchAsync(ReplicaFetch fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        Blake3Hash hash = fetch.Hash;
        TimeSpan ttl = Remaining(fetch.Facts.Expires);
        if (await store.AdoptAsync(fetch.Facts.ToBlobInfo(hash), CancellationToken.None).ConfigureAwait(true) is not null)
        {
            // Already here (a restarted silo, or the uploader's own silo): the record now agrees with the cluster's.
            return;
        }

        if (store.FindPartial(hash) is null && !store.HasRoomFor(fetch.Facts.Size))
        {
            // Refused before a byte is written: a copy that cannot fit would fill the disk and leave a partial file behind.
            ClusterMetrics.Repaired(0, ok: false);
            throw new BlobGrainException(BlobStatus.Unavailable, $"silo {view.Self.Node} has no room for blob {hash} ({fetch.Facts.Size} bytes) beside what it stores and receives");
        }

        // Only without a partial copy here: one kept for a resume would be left behind by the import.
        if (fetch.Content is { } content && store.FindPartial(hash) is null && await StoreSentAlongAsync(fetch, content, ttl).ConfigureAwait(true))
        {
            return;
        }

        using var deadline = new CancellationTokenSource(options.CopyTimeout, time);
        long started = time.GetTimestamp();
        PartialBlob partial = store.OpenPartial(hash, fetch.Facts.Size);
        var problems = new List<string>();
        var leases = new List<PooledConnection>();
        var providers = new List<BlobClient>();
        try
        {
            foreach (SiloTicket source in fetch.Sources.Where(s => s.Node != view.Self.Node))
            {
                try
                {
                    PooledConnection lease = await connections.LeaseAsync(source.Address, source.Node, BlobsProtocol.Alpn, deadline.Token).ConfigureAwait(true);
                    leases.Add(lease);
                    providers.Add(BlobClient.Over(lease.Connection, source));
                }
                catch (Exception error) when (error is QuicException or OperationCanceledException)
                {
                    Problem(source.Node, error.Message);
                }
            }

            if (providers.Count > 0)
            {
                // The one fill every download into a store uses: pieces split across the sources,
                // verified blocks kept through a source's failure, the rest asked of the others.
                DownloadReport report = await new Downloader(providers).FillAsync(hash, partial, SplitStrategy.Split, cancellationToken: deadline.Token).ConfigureAwait(true);
                foreach (var (source, why) in report.Failures)
                {
                    Problem(source.Node, why);
                }
            }
        }
        catch (ProvidersFailedException error)
        {
            foreach (var (source, why) in error.Failures)
            {
                Problem(source.Node, why.Message);
            }
        }
        catch (Exception error) when (error is BlobProtocolException or QuicException or BaoVerificationException or IOException or OperationCanceledException)
        {
            Problem(providers.Count == 1 ? providers[0].Silo.Node : view.Self.Node, error is OperationCanceledException && deadline.IsCancellationRequested ? $"the copy took longer than {options.CopyTimeout}" : error.Message);
        }
        finally
        {
            foreach (BlobClient provider in providers)
            {
                await provider.DisposeAsync().ConfigureAwait(true);
            }

            foreach (PooledConnection lease in leases)
            {
                lease.Dispose();
            }
        }

        void Problem(NodeId source, string why)
        {
            problems.Add($"{source}: {why}");
            FetchFromSourceFailed(logger, hash, source, why);
        }

        if (!partial.IsComplete)
        {
            if (!store.HasRoomFor(0))
            {
                // The disk filled meanwhile: keeping the verified part for a resume would keep it full.
                store.DiscardPartial(partial);
            }

            ClusterMetrics.Repaired(0, ok: false);
            throw new BlobGrainException(BlobStatus.Unavailable, $"could not fetch blob {hash} from any of {fetch.Sources.Count} sources: {string.Join("; ", problems)}");
        }

        await store.CompletePartialAsync(partial, ttl, fetch.Facts.ToBlobInfo(hash), CancellationToken.None).ConfigureAwait(true);
        ClusterMetrics.Repaired(fetch.Facts.Size, ok: true);
        double seconds = time.GetElapsedTime(started).TotalSeconds;
        double megabytesPerSecond = fetch.Facts.Size / Math.Max(seconds, 1e-6) / 1e6;
        Fetched(logger, hash, fetch.Facts.Size, seconds, megabytesPerSecond);
    }

    /// <summary>
    /// Stores a small blob's bytes that came with the request (<see cref="ReplicaFetch.Content"/>),
    /// verified against its hash as they are written. False if they are not the blob, or could not
    /// be stored: the caller then fetches it from the sources as for a large blob.
    /// </summary>
    private async Task<bool> StoreSentAlongAsync(ReplicaFetch fetch, byte[] content, TimeSpan ttl)
    {
        long started = time.GetTimestamp();
        BlobFacts facts = fetch.Facts;
        try
        {
            using var source = new MemoryStream(content, writable: false);
            await store.ImportAsync(source, facts.Size, ttl, fetch.Hash, facts.Uploader.Length > 0 ? facts.Uploader : null, facts.Tags, facts.Created, CancellationToken.None).ConfigureAwait(true);
        }
        catch (Exception error) when (error is BlobStoreException or IOException)
        {
            SentAlongRefused(logger, fetch.Hash, error.Message);
            return false;
        }

        ClusterMetrics.Repaired(facts.Size, ok: true);
        double seconds = time.GetElapsedTime(started).TotalSeconds;
        StoredSentAlong(logger, fetch.Hash, facts.Size, seconds);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> HasAsync(Blake3Hash hash) => await store.RecordAsync(hash, CancellationToken.None).ConfigureAwait(true) is not null;

    /// <inheritdoc/>
    public Task DropAsync(Blake3Hash hash) => store.DeleteAsync(hash, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ExtendAsync(Blake3Hash hash, DateTimeOffset expires)
    {
        if (await store.HasAsync(hash, CancellationToken.None).ConfigureAwait(true))
        {
            await store.ExtendAsync(hash, Remaining(expires), CancellationToken.None).ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public async Task<SiloStats> StatsAsync()
    {
        (long blobs, long bytes) = await store.StatsAsync(CancellationToken.None).ConfigureAwait(true);
        return new SiloStats(blobs, bytes, backlog.Count);
    }

    /// <inheritdoc/>
    public Task RepairSoonAsync()
    {
        backlog.RequestRepair();
        return Task.CompletedTask;
    }

    private TimeSpan Remaining(DateTimeOffset expires) => TimeSpan.FromMilliseconds(Math.Max(1000, (expires - time.GetUtcNow()).TotalMilliseconds));

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Hash}: {Size} bytes in {Seconds:0.000} s ({MBps:0} MB/s)")]
    private static partial void Fetched(ILogger logger, Blake3Hash hash, long size, double seconds, double mbps);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored {Hash}: {Size} bytes sent along with the copy request, in {Seconds:0.000} s")]
    private static partial void StoredSentAlong(ILogger logger, Blake3Hash hash, long size, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bytes sent along for {Hash} were not stored ({Reason}); fetching it from the holders instead")]
    private static partial void SentAlongRefused(ILogger logger, Blake3Hash hash, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching {Hash} from {Source} failed: {Reason}")]
    private static partial void FetchFromSourceFailed(ILogger logger, Blake3Hash hash, NodeId source, string reason);
}
