using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Runtime;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Blobs;

/// <summary>
/// The silo service ("replicator") through which blob grains manage copies on a silo: fetch a
/// blob from other silos (verified block by block into a partial blob, resuming from the next
/// source if one fails), drop, extend, delete, and report this silo's counts.
/// </summary>
public sealed partial class BlobReplicator(BlobStore store, GrainRuntime runtime, BlobClusterOptions options, ILogger<BlobReplicator> logger) : ISiloService
{
    /// <summary>The service name.</summary>
    public const string ServiceName = "replicator";

    /// <summary>Blobs this silo owns that were below R copies at its last repair pass (set by <see cref="RepairService"/>).</summary>
    public long RepairBacklog { get; set; } = -1;

    /// <inheritdoc/>
    public string Name => ServiceName;

    /// <inheritdoc/>
    public async Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        switch (method)
        {
            case "fetch":
                await FetchAsync(
                    RequiredHash(arguments),
                    arguments.Number("size") ?? throw Bad("fetch needs 'size'"),
                    arguments.Number("expires") ?? throw Bad("fetch needs 'expires'"),
                    [.. (arguments.TextList("sources") ?? []).Select(SiloTicket.Parse)],
                    cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok);
            case "drop":
            case "delete":
                await store.DeleteAsync(RequiredHash(arguments), cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok);
            case "extend":
            {
                Blake3Hash hash = RequiredHash(arguments);
                long expires = arguments.Number("expires") ?? throw Bad("extend needs 'expires'");
                if (await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
                {
                    await store.ExtendAsync(hash, Remaining(expires), cancellationToken).ConfigureAwait(false);
                }

                return BlobMessage.Reply(BlobStatus.Ok);
            }

            case "stats":
            {
                (long blobs, long bytes) = await store.StatsAsync(cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok, null, ("blobs", blobs), ("bytes", bytes), ("backlog", RepairBacklog), ("activations", (long)runtime.ActivationCount));
            }

            default:
                throw new BlobProtocolException(BlobStatus.UnknownOperation, $"the replicator has no method '{method}'");
        }
    }

    /// <summary>Brings a verified copy of <paramref name="hash"/> here from <paramref name="sources"/>.</summary>
    private async Task FetchAsync(Blake3Hash hash, long size, long expiresMs, IReadOnlyList<SiloTicket> sources, CancellationToken cancellationToken)
    {
        TimeSpan ttl = Remaining(expiresMs);
        if (await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            // Already here (a restarted silo, or the uploader's own silo): just make the expiry agree.
            await store.ExtendAsync(hash, ttl, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.CopyTimeout);
        long started = runtime.Time.GetTimestamp();
        PartialBlob partial = store.OpenPartial(hash, size);
        var problems = new List<string>();
        foreach (SiloTicket source in sources.Where(s => s.Node != runtime.Self.Node))
        {
            ChunkRanges missing = ChunkRanges.All.Difference(partial.Present());
            if (missing.IsEmpty)
            {
                break;
            }

            try
            {
                using PooledConnection lease = await runtime.ConnectAsync(source.Node, source.Address, BlobsProtocolHandler.Alpn, deadline.Token).ConfigureAwait(false);
                await using BlobClient client = BlobClient.Over(lease.Connection, source);
                await client.GetAsync(hash, partial, missing, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is BlobProtocolException or QuicException or BaoVerificationException or IOException)
            {
                // Keep every verified block; the next source sends only what is missing.
                problems.Add($"{source.Node}: {error.Message}");
                FetchFromSourceFailed(logger, hash, source.Node, error.Message);
            }
            finally
            {
                await partial.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        if (!partial.IsComplete)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, $"could not fetch blob {hash} from any of {sources.Count} sources: {string.Join("; ", problems)}");
        }

        await store.CompletePartialAsync(partial, ttl, cancellationToken).ConfigureAwait(false);
        double seconds = runtime.Time.GetElapsedTime(started).TotalSeconds;
        Fetched(logger, hash, size, seconds, size / seconds / 1e6);
    }

    private TimeSpan Remaining(long expiresMs) =>
        TimeSpan.FromMilliseconds(Math.Max(1000, expiresMs - runtime.Time.GetUtcNow().ToUnixTimeMilliseconds()));

    private static Blake3Hash RequiredHash(BlobMessage arguments) => arguments.Hash("hash") ?? throw Bad("the request needs 'hash'");

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Hash}: {Size} bytes in {Seconds:0.000} s ({MBps:0} MB/s)")]
    private static partial void Fetched(ILogger logger, Blake3Hash hash, long size, double seconds, double mbps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching {Hash} from {Source} failed: {Reason}")]
    private static partial void FetchFromSourceFailed(ILogger logger, Blake3Hash hash, NodeId source, string reason);
}
