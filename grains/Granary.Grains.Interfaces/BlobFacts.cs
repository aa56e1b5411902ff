using Granary.Blobs.Protocol;

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
    [property: Id(4)] string Tags)
{
    /// <summary>The record as a blob store row of <paramref name="hash"/>.</summary>
    public BlobInfo ToBlobInfo(Hashing.Blake3Hash hash) =>
        new(hash, Size, Created, Expires) { Uploader = Uploader.Length > 0 ? Uploader : null, Tags = Tags };

    /// <summary>The record of a blob store row.</summary>
    public static BlobFacts From(BlobInfo blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return new BlobFacts(blob.Size, blob.Created, blob.Expires, blob.Uploader ?? string.Empty, blob.Tags);
    }
}
