namespace Granary.Gossip.Topics;

/// <summary><c>topics</c>: every topic the cluster knows, one <see cref="TopicReport"/> block each, then a <see cref="Blobs.Protocol.SeriesEnd"/>.</summary>
public sealed record TopicListRequest : TopicRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "topics";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [];
}
