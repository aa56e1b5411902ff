namespace Granary.Grains;

/// <summary>What the cluster records about a blob apart from where it is.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="Created">When it was first uploaded.</param>
/// <param name="Expires">When every copy may be removed.</param>
/// <param name="Uploader">Who uploaded it (the token's subject); empty if unknown.</param>
/// <param name="Tags">The uploader's tags, as given.</param>
[GenerateSerializer, Immutable]
public sealed record BlobFacts(
    [property: Id(0)] long Size,
    [property: Id(1)] DateTimeOffset Created,
    [property: Id(2)] DateTimeOffset Expires,
    [property: Id(3)] string Uploader,
    [property: Id(4)] string Tags);
