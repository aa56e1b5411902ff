namespace Granary.Grains.Tests.Silos;

/// <summary>A grain placed like <see cref="IReplicaGrain"/> (key: a silo address in parsable form) that says where it runs.</summary>
public interface IPlacementProbeGrain : IGrainWithStringKey
{
    /// <summary>The address of the silo this activation runs on.</summary>
    Task<SiloAddress> HostAsync();
}
