using Granary.Blobs.Protocol;
using Granary.Grains.Cluster;
using Granary.Grains.Hosting;

namespace Granary.Grains.Gossip;

/// <inheritdoc cref="IGossipTopicGrain"/>
/// <remarks>
/// A silo that crashed cannot leave: its ticket is dropped at the next join or leave once Orleans'
/// membership no longer lists it as serving, and never handed out meanwhile.
/// </remarks>
public sealed class GossipTopicGrain(
    [PersistentState("gossip-topic", GrainStorage.Name)] IPersistentState<GossipTopicGrainState> state,
    ClusterView cluster) : Grain, IGossipTopicGrain
{
    /// <summary>Most silos recorded for one topic: 1024 (a cluster's size, with room to spare).</summary>
    public const int MaxSilos = 1024;

    /// <inheritdoc/>
    public async Task<GossipTopicInfo> JoinAsync(SiloTicket silo, string? name)
    {
        ArgumentNullException.ThrowIfNull(silo);
        bool first = state.State.Created is null;
        state.State.Created ??= DateTimeOffset.UtcNow;
        state.State.Name ??= name;
        Prune();
        state.State.Silos.RemoveAll(s => SiloTicket.Parse(s).Node == silo.Node); // an earlier incarnation of the same node
        state.State.Silos.Add(silo.ToString());
        if (state.State.Silos.Count > MaxSilos)
        {
            state.State.Silos.RemoveRange(0, state.State.Silos.Count - MaxSilos);
        }

        await state.WriteStateAsync().ConfigureAwait(true);
        if (first)
        {
            await GrainFactory.GetGrain<IGossipTopicIndexGrain>(IGossipTopicIndexGrain.Key).AddAsync(this.GetPrimaryKeyString()).ConfigureAwait(true);
        }

        return Info(except: silo);
    }

    /// <inheritdoc/>
    public async Task LeaveAsync(SiloTicket silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        int before = state.State.Silos.Count;
        state.State.Silos.Remove(silo.ToString());
        Prune();
        if (state.State.Silos.Count != before)
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public Task<GossipTopicInfo> GetAsync() => Task.FromResult(Info(except: null));

    private GossipTopicInfo Info(SiloTicket? except) => new(
        this.GetPrimaryKeyString(),
        state.State.Name,
        state.State.Created,
        [.. state.State.Silos.Select(SiloTicket.Parse).Where(t => t != except && IsServing(t))]);

    private void Prune() => state.State.Silos.RemoveAll(s => !IsServing(SiloTicket.Parse(s)));

    private bool IsServing(SiloTicket ticket) => cluster.FindServing(ticket.Node) is { } serving && serving.Ticket == ticket;
}
