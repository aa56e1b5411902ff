namespace Granary.Gossip.Proto;

/// <summary>An input to a topic's state machine (iroh-gossip's <c>InEvent</c>): a message, a command, a timer, a broken link.</summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public abstract record InEvent<TPeer>
    where TPeer : notnull
{
    private InEvent()
    {
    }

    /// <summary>A message arrived from a peer (whose identity the transport proved).</summary>
    /// <param name="From">The sender.</param>
    /// <param name="Message">The message.</param>
    public sealed record RecvMessage(TPeer From, GossipMessage<TPeer> Message) : InEvent<TPeer>;

    /// <summary>Join the swarm through these peers (bootstrap).</summary>
    /// <param name="Peers">Known members; this node itself is skipped.</param>
    public sealed record Join(IReadOnlyList<TPeer> Peers) : InEvent<TPeer>;

    /// <summary>Broadcast content.</summary>
    /// <param name="Content">At most <see cref="GossipOptions.MaxMessageSize"/> bytes.</param>
    /// <param name="Scope">The swarm or the neighbours only.</param>
    public sealed record Broadcast(ReadOnlyMemory<byte> Content, DeliveryScope Scope) : InEvent<TPeer>;

    /// <summary>Leave the topic: neighbours are told; nothing is sent afterwards.</summary>
    public sealed record Quit : InEvent<TPeer>;

    /// <summary>A timer asked for earlier expired.</summary>
    /// <param name="Timer">The timer.</param>
    public sealed record TimerExpired(ProtoTimer Timer) : InEvent<TPeer>;

    /// <summary>The link to a peer broke (or could not be made): it is taken as failed.</summary>
    /// <param name="Peer">The peer.</param>
    public sealed record PeerDisconnected(TPeer Peer) : InEvent<TPeer>;
}
