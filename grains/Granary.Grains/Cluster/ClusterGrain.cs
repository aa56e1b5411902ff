using Granary.Grains.Hosting;

namespace Granary.Grains.Cluster;

/// <inheritdoc cref="IClusterGrain"/>
public sealed class ClusterGrain(
    [PersistentState("cluster", GrainStorage.Name)] IPersistentState<ClusterGrainState> state,
    IClusterMembershipService membership) : Grain, IClusterGrain
{
    /// <inheritdoc/>
    public async Task DrainAsync(SiloAddress silo)
    {
        // Marks of incarnations that are gone are dead weight: drop them while writing anyway.
        ArgumentNullException.ThrowIfNull(silo);
        state.State.Draining.RemoveAll(s => membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(s)) == SiloStatus.Dead);
        if (!state.State.Draining.Contains(silo.ToParsableString()))
        {
            state.State.Draining.Add(silo.ToParsableString());
        }

        await state.WriteStateAsync().ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<SiloAddress>> DrainingAsync() => Task.FromResult<IReadOnlyList<SiloAddress>>([.. state.State.Draining.Select(SiloAddress.FromParsableString)]);
}
