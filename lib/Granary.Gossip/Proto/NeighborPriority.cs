namespace Granary.Gossip.Proto;

/// <summary>A HyParView neighbour request's priority: a peer with no active neighbour asks with <see cref="High"/>, which must be accepted.</summary>
public enum NeighborPriority
{
    /// <summary>Accepted only if the receiver's active view has room.</summary>
    Low,

    /// <summary>Always accepted (the receiver evicts a random active peer if full).</summary>
    High,
}
