namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>SHUFFLE</c>: a random walk carrying a sample of <paramref name="Origin"/>'s views; where it ends, the receiver answers with a sample of its passive view and both merge.</summary>
/// <param name="Origin">The peer that started the shuffle (the reply goes to it).</param>
/// <param name="Peers">The origin, some active and some passive peers of it.</param>
/// <param name="TimeToLive">Hops left.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record ShuffleMessage<TPeer>(TPeer Origin, IReadOnlyList<TPeer> Peers, int TimeToLive) : GossipMessage<TPeer>
    where TPeer : notnull;
