using Granary.Hashing;

namespace Granary.Gossip.Proto;

/// <summary>PlumTree <c>GRAFT</c>: the sender makes the link eager again and, with an id, asks for that message.</summary>
/// <param name="Id">The message missed, or null for a graft alone (tree optimisation).</param>
/// <param name="Round">The round the IHave announced.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record GraftMessage<TPeer>(Blake3Hash? Id, int Round) : GossipMessage<TPeer>
    where TPeer : notnull;
