namespace Granary.Gossip.Topics;

/// <summary>What a <see cref="TopicEvent"/> reports (iroh-gossip's <c>Event</c>, as a subscriber through a silo sees it).</summary>
public enum TopicEventKind
{
    /// <summary>The silo is in the topic's swarm; <see cref="TopicEvent.Count"/> is how many other silos were in it when it joined. Always first.</summary>
    Joined,

    /// <summary>A message arrived (once).</summary>
    Received,

    /// <summary>A silo became a direct neighbour of the subscriber's silo in the swarm.</summary>
    NeighborUp,

    /// <summary>A silo stopped being a direct neighbour (it left or failed).</summary>
    NeighborDown,

    /// <summary>The subscriber read too slowly: <see cref="TopicEvent.Count"/> events were dropped before this one.</summary>
    Lagged,
}
