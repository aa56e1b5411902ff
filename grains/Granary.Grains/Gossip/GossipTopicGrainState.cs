namespace Granary.Grains.Gossip;

/// <summary>What <see cref="GossipTopicGrain"/> stores (plain members: grain storage writes JSON).</summary>
[GenerateSerializer]
public sealed class GossipTopicGrainState
{
    /// <summary>The topic's name, if a client gave one.</summary>
    [Id(0)]
    public string? Name { get; set; }

    /// <summary>When a silo first joined; null before.</summary>
    [Id(1)]
    public DateTimeOffset? Created { get; set; }

    /// <summary>The tickets (text) of the silos in the swarm, in the order they joined.</summary>
    [Id(2)]
    public List<string> Silos { get; set; } = [];
}
