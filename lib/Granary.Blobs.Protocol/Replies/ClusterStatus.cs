namespace Granary.Blobs.Protocol;

/// <summary>The reply to <c>cluster-status</c>: the cluster as one silo sees it — the replication factor and every silo incarnation in the membership table.</summary>
/// <param name="Replicas">R, the copies kept of every blob (1 for a silo alone).</param>
/// <param name="ViewVersion">The membership version the silo answered from.</param>
/// <param name="Silos">One row per silo incarnation.</param>
public sealed record ClusterStatus(long Replicas, long ViewVersion, IReadOnlyList<SiloStatusInfo> Silos) : BlobReply, IBlobReply<ClusterStatus>
{
    /// <inheritdoc/>
    public static ClusterStatus Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new(block.Number("replicas") ?? 1, block.Number("view") ?? 0, [.. (block.Blocks("silos") ?? []).Select(SiloStatusInfo.From)]);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        [new("replicas", Replicas), new("view", ViewVersion), new("silos", Silos.Select(s => (object)s.ToFields()).ToList())];
}
