using Granary.Grains.Hosting;

namespace Granary.Grains.Gossip;

/// <inheritdoc cref="IGossipTopicIndexGrain"/>
public sealed class GossipTopicIndexGrain(
    // Its own state name: ADO.NET grain storage keys a row by state name and key, and the
    // transfer index is "index"/"cluster" too (sharing it broke every silo's restart).
    [PersistentState("gossip-topic-index", GrainStorage.Name)] IPersistentState<GossipTopicIndexGrainState> state) : Grain, IGossipTopicIndexGrain
{
    /// <inheritdoc/>
    public async Task AddAsync(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        List<string> topics = state.State.Topics;
        if (topics.Contains(topic))
        {
            return;
        }

        topics.Add(topic);
        if (topics.Count > IGossipTopicIndexGrain.MaxTopics)
        {
            topics.RemoveRange(0, topics.Count - IGossipTopicIndexGrain.MaxTopics);
        }

        await state.WriteStateAsync().ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Topics]);
}
