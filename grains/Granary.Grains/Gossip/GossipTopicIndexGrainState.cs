namespace Granary.Grains.Gossip;

/// <summary>What <see cref="GossipTopicIndexGrain"/> stores: topic ids, oldest first (a plain list: grain storage writes JSON).</summary>
[GenerateSerializer]
public sealed class GossipTopicIndexGrainState
{
    /// <summary>The topic ids (64 hex digits each).</summary>
    [Id(0)]
    public List<string> Topics { get; set; } = [];
}
