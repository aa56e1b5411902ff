namespace Granary.Gossip.Proto;

/// <summary>What a topic tells its application (iroh-gossip's <c>Event</c>).</summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public abstract record GossipEvent<TPeer>
    where TPeer : notnull
{
    private GossipEvent()
    {
    }

    /// <summary>A peer joined this node's active view (a direct neighbour).</summary>
    /// <param name="Peer">The neighbour.</param>
    public sealed record NeighborUp(TPeer Peer) : GossipEvent<TPeer>;

    /// <summary>A peer left this node's active view (it left, failed, or was swapped out).</summary>
    /// <param name="Peer">The former neighbour.</param>
    public sealed record NeighborDown(TPeer Peer) : GossipEvent<TPeer>;

    /// <summary>A broadcast arrived, for the first time.</summary>
    /// <param name="Content">Its bytes.</param>
    /// <param name="DeliveredFrom">The neighbour it came from (not necessarily its author).</param>
    /// <param name="Scope">Swarm or neighbours-only.</param>
    /// <param name="Hops">Links it crossed (1: from its author directly).</param>
    public sealed record Received(ReadOnlyMemory<byte> Content, TPeer DeliveredFrom, DeliveryScope Scope, int Hops) : GossipEvent<TPeer>;
}
