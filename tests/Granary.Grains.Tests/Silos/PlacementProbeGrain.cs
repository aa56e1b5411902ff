using Granary.Grains.Placement;

namespace Granary.Grains.Tests.Silos;

/// <summary>Carries <see cref="SiloKeyedPlacementAttribute"/> as <c>ReplicaGrain</c> does, without its blob store.</summary>
[SiloKeyedPlacement]
public sealed class PlacementProbeGrain(ILocalSiloDetails silo) : Grain, IPlacementProbeGrain
{
    /// <inheritdoc/>
    public Task<SiloAddress> HostAsync() => Task.FromResult(silo.SiloAddress);
}
