namespace Granary.Grains.Cluster;

/// <summary>The persisted state of <see cref="ClusterGrain"/>.</summary>
[GenerateSerializer]
public sealed class ClusterGrainState
{
    /// <summary>Silos an operator asked to drain, by Orleans address in parsable form (one incarnation each).</summary>
    [Id(0)]
    public List<string> Draining { get; init; } = [];
}
