namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>NEIGHBOR</c>: the sender took the receiver into its active view and asks to be taken into the receiver's (refused with a <see cref="DisconnectMessage{TPeer}"/>).</summary>
/// <param name="Priority">High when the sender has no other active neighbour.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record NeighborMessage<TPeer>(NeighborPriority Priority) : GossipMessage<TPeer>
    where TPeer : notnull;
