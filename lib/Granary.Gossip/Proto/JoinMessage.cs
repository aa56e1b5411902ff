namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>JOIN</c>: the sender wants into the swarm; the receiver takes it as an active neighbour and announces it with forward-joins.</summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record JoinMessage<TPeer> : GossipMessage<TPeer>
    where TPeer : notnull;
