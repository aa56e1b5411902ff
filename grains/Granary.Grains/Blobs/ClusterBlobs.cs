using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Transport;

namespace Granary.Grains.Blobs;

/// <summary>The blobs protocol's view of the cluster (<see cref="IBlobCluster"/>), through blob grains and membership.</summary>
public sealed class ClusterBlobs(GrainRuntime runtime, BlobReplicator replicator, BlobClusterOptions options) : IBlobCluster
{
    /// <inheritdoc/>
    public bool IsMember(NodeId node) => runtime.View.Silos.Any(s => s.Node == node && s.Status != SiloStatus.Dead);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SiloTicket>> ReplicateAsync(BlobInfo stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (options.Standalone)
        {
            return [];
        }

        BlobMessage reply;
        try
        {
            reply = await runtime.CallAsync(BlobGrain.For(stored.Hash), "register", new BlobMessage(
            [
                new("size", stored.Size), new("created", stored.Created.ToUnixTimeMilliseconds()), new("expires", stored.Expires.ToUnixTimeMilliseconds()),
                new("uploader", stored.Uploader ?? string.Empty), new("tags", stored.Tags), new("holder", runtime.Self.Node.ToString()), new("require", 1L),
            ]), options.CopyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, $"the upload is stored on this silo but not acknowledged: {error.Message}; retry it");
        }

        return [.. (reply.TextList("replicas") ?? []).Select(SiloTicket.Parse)];
    }

    /// <inheritdoc/>
    public async Task<(BlobInfo Blob, IReadOnlyList<SiloTicket> Providers)?> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        BlobMessage? reply = await CallOrNullAsync(hash, "locate", new BlobMessage([]), cancellationToken).ConfigureAwait(false);
        return reply is null ? null : (Describe(hash, reply), [.. (reply.TextList("providers") ?? []).Select(SiloTicket.Parse)]);
    }

    /// <inheritdoc/>
    public async Task<BlobInfo?> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken)
    {
        BlobMessage? reply = await CallOrNullAsync(hash, "extend", new BlobMessage([new("ttl", (long)ttl.TotalSeconds)]), cancellationToken).ConfigureAwait(false);
        return reply is null ? null : Describe(hash, reply);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken) =>
        await CallOrNullAsync(hash, "delete", new BlobMessage([]), cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc/>
    public async Task<BlobMessage?> AdminAsync(string op, BlobMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (op)
        {
            case "cluster-status":
                return await StatusAsync(cancellationToken).ConfigureAwait(false);
            case "cluster-drain":
            {
                string text = request.Text("node") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "cluster-drain needs 'node' (a silo's node id)");
                if (!NodeId.TryParse(text, out NodeId node) || runtime.View.FindServing(node) is not { } silo)
                {
                    throw new BlobProtocolException(BlobStatus.NotFound, $"no serving silo has node id '{text}'; see 'granary cluster status'");
                }

                await runtime.Membership.TrySetStatusAsync(silo.Incarnation, SiloStatus.ShuttingDown, cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok);
            }

            default:
                return null;
        }
    }

    private async Task<BlobMessage> StatusAsync(CancellationToken cancellationToken)
    {
        MembershipSnapshot view = await runtime.Membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var silos = await Task.WhenAll(view.Silos.Select(async silo =>
        {
            var fields = new List<KeyValuePair<string, object>>
            {
                new("node", silo.Node.ToString()), new("address", silo.Address.ToString()), new("status", silo.Status.ToString()),
                new("generation", silo.Incarnation.Generation),
            };
            if (silo.Status is SiloStatus.Active or SiloStatus.ShuttingDown)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(TimeSpan.FromSeconds(3));
                    BlobMessage stats = silo.Incarnation == runtime.Self
                        ? await replicator.InvokeAsync("stats", new BlobMessage([]), timeout.Token).ConfigureAwait(false)
                        : await runtime.CallSiloAsync(silo, BlobReplicator.ServiceName, "stats", new BlobMessage([]), timeout.Token).ConfigureAwait(false);
                    fields.Add(new("blobs", stats.Number("blobs") ?? -1));
                    fields.Add(new("bytes", stats.Number("bytes") ?? -1));
                    fields.Add(new("backlog", stats.Number("backlog") ?? -1));
                }
                catch (Exception error) when (error is BlobProtocolException or QuicException or OperationCanceledException)
                {
                    fields.Add(new("problem", $"did not answer: {error.Message}"));
                }
            }

            return (object)fields.ToDictionary(f => f.Key, f => f.Value);
        })).ConfigureAwait(false);
        return BlobMessage.Reply(BlobStatus.Ok, null, ("replicas", (long)options.Replicas), ("view", view.Version), ("silos", silos.ToList()));
    }

    private async Task<BlobMessage?> CallOrNullAsync(Blake3Hash hash, string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        if (options.Standalone)
        {
            return null; // no records: the local store answers
        }

        try
        {
            return await runtime.CallAsync(BlobGrain.For(hash), method, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (BlobProtocolException error) when (error.Status == BlobStatus.NotFound)
        {
            return null;
        }
        catch (TimeoutException error)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, error.Message);
        }
    }

    private static BlobInfo Describe(Blake3Hash hash, BlobMessage reply) => new(
        hash,
        reply.Number("size") ?? 0,
        DateTimeOffset.FromUnixTimeMilliseconds(reply.Number("created") ?? 0),
        DateTimeOffset.FromUnixTimeMilliseconds(reply.Number("expires") ?? 0))
    {
        Uploader = reply.Text("uploader") is { Length: > 0 } uploader ? uploader : null,
        Tags = reply.Text("tags") ?? string.Empty,
    };
}
