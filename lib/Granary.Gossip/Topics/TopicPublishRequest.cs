using Granary.Gossip.Proto;

namespace Granary.Gossip.Topics;

/// <summary><c>publish</c>: broadcast <paramref name="Content"/> on the topic through the silo (it joins the swarm for a while if it is not in it); answered with a 200 once handed to the swarm.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Name">Its name, if the client knows one.</param>
/// <param name="Content">The message: at most the silo's <see cref="GossipOptions.MaxMessageSize"/> bytes (4 KiB by default).</param>
/// <param name="Scope">The whole swarm, or the silo's direct neighbours only.</param>
public sealed record TopicPublishRequest(TopicId Topic, string? Name, ReadOnlyMemory<byte> Content, DeliveryScope Scope) : TopicRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "publish";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        TopicFields(Topic, Name).Append(new("content", Content.ToArray())).Append(new("scope", Scope == DeliveryScope.Neighbors ? 1L : 0L));
}
