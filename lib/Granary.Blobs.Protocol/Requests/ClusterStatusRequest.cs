namespace Granary.Blobs.Protocol;

/// <summary><c>cluster-status</c>: the cluster as the silo asked sees it; replied with a <see cref="ClusterStatus"/>.</summary>
public sealed record ClusterStatusRequest : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "cluster-status";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [];

    internal static ClusterStatusRequest From(MetadataBlock block) => new();
}
