using Granary.Hashing;

namespace Granary.Gossip.Proto;

/// <summary>PlumTree <c>IHAVE</c>: ids of messages the sender has, announced lazily (batched every <see cref="GossipOptions.DispatchTimeout"/>).</summary>
/// <param name="Messages">Each id with the round it was received at.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record IHaveMessage<TPeer>(IReadOnlyList<(Blake3Hash Id, int Round)> Messages) : GossipMessage<TPeer>
    where TPeer : notnull;
