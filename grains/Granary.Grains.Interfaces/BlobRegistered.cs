using Granary.Blobs.Protocol;

namespace Granary.Grains;

/// <summary>The answer to <see cref="IBlobGrain.RegisterAsync"/>.</summary>
/// <param name="Replicas">The serving silos that hold the blob.</param>
/// <param name="Facts">The cluster's record (expiry, uploader, tags): a holder adopts it, so changes made while it was away reach it.</param>
[GenerateSerializer, Immutable]
public sealed record BlobRegistered(
    [property: Id(0)] IReadOnlyList<SiloTicket> Replicas,
    [property: Id(1)] BlobFacts Facts);
