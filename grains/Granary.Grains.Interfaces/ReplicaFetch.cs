using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Grains;

/// <summary>What <see cref="IReplicaGrain.FetchAsync"/> copies and from where.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Size">Its size in bytes (the verified stream must match it).</param>
/// <param name="Expires">The cluster's expiry for it.</param>
/// <param name="Sources">Serving silos holding it, tried in order.</param>
[GenerateSerializer, Immutable]
public sealed record ReplicaFetch(
    [property: Id(0)] Blake3Hash Hash,
    [property: Id(1)] long Size,
    [property: Id(2)] DateTimeOffset Expires,
    [property: Id(3)] IReadOnlyList<SiloTicket> Sources);
