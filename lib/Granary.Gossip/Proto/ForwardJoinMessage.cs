namespace Granary.Gossip.Proto;

/// <summary>HyParView <c>FORWARDJOIN</c>: a random walk announcing <paramref name="Peer"/>, which ends in an active-view link; at <see cref="GossipOptions.PassiveRandomWalkLength"/> hops left it also lands in a passive view.</summary>
/// <param name="Peer">The peer that joined.</param>
/// <param name="TimeToLive">Hops left (starts at <see cref="GossipOptions.ActiveRandomWalkLength"/>).</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record ForwardJoinMessage<TPeer>(TPeer Peer, int TimeToLive) : GossipMessage<TPeer>
    where TPeer : notnull;
