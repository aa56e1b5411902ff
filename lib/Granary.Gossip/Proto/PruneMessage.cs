namespace Granary.Gossip.Proto;

/// <summary>PlumTree <c>PRUNE</c>: the sender received a duplicate over this link and makes it lazy; the receiver does the same.</summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record PruneMessage<TPeer> : GossipMessage<TPeer>
    where TPeer : notnull;
