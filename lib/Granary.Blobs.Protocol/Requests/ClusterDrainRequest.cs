namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>cluster-drain</c>: the silo <paramref name="Node"/> leaves placement, its blobs move to
/// others, then it exits; replied with <see cref="OkReply"/>, 404 for a node that is not serving,
/// 400 if draining it would leave fewer silos than copies.
/// </summary>
/// <param name="Node">The silo's node id, as text (as <c>granary cluster status</c> prints it).</param>
public sealed record ClusterDrainRequest(string Node) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "cluster-drain";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [new("node", Node)];

    internal static ClusterDrainRequest From(MetadataBlock block) =>
        new(block.Text("node") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "cluster-drain needs 'node' (a silo's node id)"));
}
