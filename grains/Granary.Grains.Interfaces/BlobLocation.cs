using Granary.Blobs.Protocol;

namespace Granary.Grains;

/// <summary>A blob's record and the serving silos that hold it.</summary>
/// <param name="Facts">Size, expiry, upload info.</param>
/// <param name="Providers">Serving silos with a verified copy, best first.</param>
[GenerateSerializer, Immutable]
public sealed record BlobLocation(
    [property: Id(0)] BlobFacts Facts,
    [property: Id(1)] IReadOnlyList<SiloTicket> Providers);
