using Granary.Gossip.Proto;

namespace Granary.Gossip.Topics;

/// <summary>
/// <c>subscribe</c>: the silo joins the topic's swarm (if it is not in it already) and streams
/// <see cref="TopicEvent"/> blocks — first <see cref="TopicEventKind.Joined"/> — until the client
/// closes the stream.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Name">Its name, if the client knows one (recorded by the topic's grain for <c>topics</c>).</param>
public sealed record TopicSubscribeRequest(TopicId Topic, string? Name) : TopicRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "subscribe";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => TopicFields(Topic, Name);
}
