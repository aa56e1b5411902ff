using Granary.Transport;

namespace Granary.Grains;

/// <summary>A silo's report that it holds a verified durable copy of a blob (<see cref="IBlobGrain.RegisterAsync"/>).</summary>
/// <param name="Facts">What the holder knows of the blob (used when the cluster has no live record).</param>
/// <param name="Holder">The holder's node id.</param>
/// <param name="RequireReplicas">True for an upload: return only once R silos hold it (the PUT is acknowledged then); false for a silo reporting its disk after a restart.</param>
/// <param name="Content">
/// The blob's bytes when it is small (at most <c>BlobClusterOptions.InlineCopyLimit</c>), else null:
/// the copies this registration makes carry them in <see cref="ReplicaFetch.Content"/> instead of
/// each target fetching them back from the holder. Never trusted: every target verifies them against the hash.
/// </param>
[GenerateSerializer, Immutable]
public sealed record BlobRegistration(
    [property: Id(0)] BlobFacts Facts,
    [property: Id(1)] NodeId Holder,
    [property: Id(2)] bool RequireReplicas,
    [property: Id(3)] byte[]? Content = null);
