namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>SHUFFLEREPLY</c>: a sample of the replier's passive view, for the shuffle's origin.</summary>
/// <param name="Peers">The sample.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record ShuffleReplyMessage<TPeer>(IReadOnlyList<TPeer> Peers) : GossipMessage<TPeer>
    where TPeer : notnull;
