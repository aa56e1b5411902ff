namespace Granary.Gossip.Proto;

/// <summary>An output of a topic's state machine (iroh-gossip's <c>OutEvent</c>), for its driver to carry out.</summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public abstract record OutEvent<TPeer>
    where TPeer : notnull
{
    private OutEvent()
    {
    }

    /// <summary>Send a message to a peer (opening a link if there is none).</summary>
    /// <param name="To">The receiver.</param>
    /// <param name="Message">The message.</param>
    public sealed record SendMessage(TPeer To, GossipMessage<TPeer> Message) : OutEvent<TPeer>;

    /// <summary>Tell the application.</summary>
    /// <param name="Event">The event.</param>
    public sealed record EmitEvent(GossipEvent<TPeer> Event) : OutEvent<TPeer>;

    /// <summary>Feed <see cref="InEvent{TPeer}.TimerExpired"/> with <paramref name="Timer"/> after <paramref name="Delay"/>.</summary>
    /// <param name="Delay">How long from now.</param>
    /// <param name="Timer">The timer.</param>
    public sealed record ScheduleTimer(TimeSpan Delay, ProtoTimer Timer) : OutEvent<TPeer>;

    /// <summary>This topic needs no link to the peer any more (the driver closes it if no other topic uses it).</summary>
    /// <param name="Peer">The peer.</param>
    public sealed record DisconnectPeer(TPeer Peer) : OutEvent<TPeer>;
}
