using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Grains;

/// <summary>What <see cref="IReplicaGrain.FetchAsync"/> copies and from where.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Facts">The cluster's record of it: the size the verified stream must match, and the expiry, uploader and tags the copy is stored with.</param>
/// <param name="Sources">Serving silos holding it, tried in order.</param>
/// <param name="Content">
/// The blob's bytes if the uploader's silo sent them along (a small blob, <see cref="BlobRegistration.Content"/>):
/// stored after checking they hash to <paramref name="Hash"/>, so the copy costs no fetch round trip;
/// if they do not, the copy is fetched from <paramref name="Sources"/> as without them.
/// </param>
[GenerateSerializer, Immutable]
public sealed record ReplicaFetch(
    [property: Id(0)] Blake3Hash Hash,
    [property: Id(1)] BlobFacts Facts,
    [property: Id(2)] IReadOnlyList<SiloTicket> Sources,
    [property: Id(3)] byte[]? Content = null);
