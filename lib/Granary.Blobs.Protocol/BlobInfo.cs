using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>What the store knows about one complete blob. Uploading the same content again extends it but keeps the first upload's info and tags.</summary>
/// <param name="Hash">The blob's BLAKE3 hash: its address.</param>
/// <param name="Size">Bytes of data.</param>
/// <param name="Created">When it was first stored.</param>
/// <param name="Expires">When it stops being served; only ever moves forward.</param>
public sealed record BlobInfo(Blake3Hash Hash, long Size, DateTimeOffset Created, DateTimeOffset Expires)
{
    /// <summary>Who first uploaded it (the uploader's node id), if known.</summary>
    public string? Uploader { get; init; }

    /// <summary>The first uploader's tags, in <see cref="BlobTags"/>' canonical text form ("" for none).</summary>
    public string Tags { get; init; } = string.Empty;
}
