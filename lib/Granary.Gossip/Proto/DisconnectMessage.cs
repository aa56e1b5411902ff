namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>DISCONNECT</c>: the sender drops the receiver from its active view.</summary>
/// <param name="Alive">True if the sender stays in the swarm (the receiver keeps it as a passive peer); false when it leaves.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record DisconnectMessage<TPeer>(bool Alive) : GossipMessage<TPeer>
    where TPeer : notnull;
