namespace Granary.Grains;

/// <summary>
/// The gossip topics a cluster has (one grain, key <see cref="Key"/>): every topic id a silo ever
/// joined, oldest first, so that <c>granary gossip topics</c> can list them. Grain storage has no
/// scan; this is the index.
/// </summary>
public interface IGossipTopicIndexGrain : IGrainWithStringKey
{
    /// <summary>The one index's key.</summary>
    public const string Key = "cluster";

    /// <summary>The most topics kept: the oldest are forgotten beyond 10,000.</summary>
    public const int MaxTopics = 10_000;

    /// <summary>Adds a topic id (written before this returns); adding it again does nothing.</summary>
    Task AddAsync(string topic);

    /// <summary>Every topic id, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
