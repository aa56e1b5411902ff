using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Protocol;

/// <summary>What a silo has of a blob: the reply to <c>push</c>, and each update of <c>observe</c>.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Size">The blob's size in bytes.</param>
/// <param name="Present">The chunks it holds, verified and durable.</param>
/// <param name="Complete">True when it holds every chunk (and serves the blob).</param>
public sealed record BlobAvailability(Blake3Hash Hash, long Size, ChunkRanges Present, bool Complete) : BlobReply, IBlobReply<BlobAvailability>
{
    /// <inheritdoc/>
    public static BlobAvailability Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new(
            block.Hash("hash") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no hash"),
            ReadSize(block),
            block.Has("present") ? block.Ranges("present") : throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no 'present'"),
            block.Number("complete") == 1);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        [new("hash", Hash.ToArray()), new("size", Size), new("present", MetadataBlock.RangesField(Present)), new("complete", Complete ? 1L : 0L)];

    private static long ReadSize(MetadataBlock block) => block.Number("size") switch
    {
        null => throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no size"),
        < 0 and long size => throw new BlobProtocolException(BlobStatus.BadRequest, $"the reply's size {size} is negative"),
        long size => size,
    };
}
