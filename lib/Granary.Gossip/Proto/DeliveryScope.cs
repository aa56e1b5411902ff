namespace Granary.Gossip.Proto;

/// <summary>How far a broadcast goes (iroh-gossip's <c>Scope</c>).</summary>
public enum DeliveryScope
{
    /// <summary>The whole swarm, along the broadcast tree.</summary>
    Swarm,

    /// <summary>The sender's direct neighbours only; they deliver it and do not forward it.</summary>
    Neighbors,
}
