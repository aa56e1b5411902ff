using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>push</c>: the verified encoding of <paramref name="Ranges"/> of a blob follows the block, up
/// to FIN; the silo keeps every block that verifies and replies with a <see cref="BlobAvailability"/>.
/// </summary>
/// <param name="Hash">The blob.</param>
/// <param name="Size">The blob's whole size in bytes (not the pushed part's).</param>
/// <param name="Ranges">Which chunks are pushed.</param>
/// <param name="Ttl">How long to keep the blob once complete; null for the silo's default.</param>
public sealed record PushRequest(Blake3Hash Hash, long Size, ChunkRanges Ranges, TimeSpan? Ttl = null) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "push";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return HashField(Hash);
        yield return new("size", Size);
        if (!Ranges.IsAll)
        {
            yield return new("ranges", MetadataBlock.RangesField(Ranges));
        }

        if (Ttl is { } ttl)
        {
            yield return TtlField(ttl);
        }
    }

    internal static PushRequest From(MetadataBlock block)
    {
        Blake3Hash hash = block.RequiredHash("hash", "a push");
        long size = block.Number("size") ?? throw new BlobProtocolException(BlobStatus.NoSize, "a push must declare the blob's 'size'");
        return size < 0
            ? throw new BlobProtocolException(BlobStatus.BadSize, $"size {size} is negative")
            : new PushRequest(hash, size, block.Ranges("ranges"), ReadTtl(block, "a push"));
    }
}
