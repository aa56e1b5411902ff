using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>get</c>: the verified encoding of <paramref name="Ranges"/> of a blob, after a
/// <see cref="BlobDescription"/> (in a cluster, a silo without the blob answers 307 with the providers).
/// </summary>
/// <param name="Hash">The blob.</param>
/// <param name="Ranges">Which 1 KiB chunks; <see cref="ChunkRanges.All"/> for the whole blob.</param>
public sealed record GetRequest(Blake3Hash Hash, ChunkRanges Ranges) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "get";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        Ranges.IsAll ? [HashField(Hash)] : [HashField(Hash), new("ranges", MetadataBlock.RangesField(Ranges))];

    internal static GetRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "a get"), block.Ranges("ranges"));
}
