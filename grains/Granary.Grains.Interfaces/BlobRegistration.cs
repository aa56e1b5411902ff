using Granary.Transport;

namespace Granary.Grains;

/// <summary>A silo's report that it holds a verified durable copy of a blob (<see cref="IBlobGrain.RegisterAsync"/>).</summary>
/// <param name="Facts">What the holder knows of the blob (used when the cluster has no live record).</param>
/// <param name="Holder">The holder's node id.</param>
/// <param name="RequireReplicas">True for an upload: return only once R silos hold it (the PUT is acknowledged then); false for a silo reporting its disk after a restart.</param>
[GenerateSerializer, Immutable]
public sealed record BlobRegistration(
    [property: Id(0)] BlobFacts Facts,
    [property: Id(1)] NodeId Holder,
    [property: Id(2)] bool RequireReplicas);
