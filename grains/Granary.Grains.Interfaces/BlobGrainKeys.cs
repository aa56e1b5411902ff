using Granary.Hashing;

namespace Granary.Grains;

/// <summary>How blob hashes become grain keys, in one place.</summary>
public static class BlobGrainKeys
{
    /// <summary>The <see cref="IBlobGrain"/> of <paramref name="hash"/>.</summary>
    public static IBlobGrain BlobGrain(this IGrainFactory grains, Blake3Hash hash)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IBlobGrain>(hash.ToString());
    }

    /// <summary>The <see cref="IReplicaGrain"/> on the silo at <paramref name="silo"/>.</summary>
    public static IReplicaGrain ReplicaGrain(this IGrainFactory grains, SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(silo);
        return grains.GetGrain<IReplicaGrain>(silo.ToParsableString());
    }

    /// <summary>The cluster's one <see cref="IClusterGrain"/>.</summary>
    public static IClusterGrain ClusterGrain(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IClusterGrain>("cluster");
    }
}
