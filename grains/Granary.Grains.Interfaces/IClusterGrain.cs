using Orleans.Concurrency;

namespace Granary.Grains;

/// <summary>
/// Cluster-wide operator state (one grain, key "cluster"): which silos are draining. A draining
/// silo is still Active in Orleans' membership (it serves its copies) but placement no longer
/// chooses it, so repair moves its blobs away before it leaves.
/// </summary>
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>Marks the silo at <paramref name="silo"/> draining.</summary>
    Task DrainAsync(SiloAddress silo);

    /// <summary>The silos marked draining (some may since have left).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SiloAddress>> DrainingAsync();
}
