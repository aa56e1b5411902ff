namespace Granary.Grains.Placement;

/// <summary>
/// Places a grain on the silo its key names (the key is a <see cref="SiloAddress"/> in parsable
/// form): a per-silo grain such as <see cref="Blobs.ReplicaGrain"/> then runs where the copies are.
/// Orleans' own per-silo mechanism (GrainService) routes by a hash ring, not to a chosen silo.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SiloKeyedPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static SiloKeyedPlacement Instance { get; } = new();
}
