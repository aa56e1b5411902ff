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

    /// <summary>
    /// The transfer channel (its transfer id) under which the bytes are asked for, or null for an
    /// ordinary get. A get under a channel needs no token: the channel's voucher authorized it, and
    /// the silo serves it only while that channel is running (docs/protocol.md, transfer channels).
    /// </summary>
    public ulong? Channel { get; init; }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return HashField(Hash);
        if (!Ranges.IsAll)
        {
            yield return new("ranges", MetadataBlock.RangesField(Ranges));
        }

        if (Channel is { } channel)
        {
            yield return new("channel", checked((long)channel));
        }
    }

    internal static GetRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "a get"), block.Ranges("ranges"))
    {
        Channel = block.Number("channel") switch
        {
            null => null,
            >= 0 and var id => (ulong)id,
            var id => throw new BlobProtocolException(BlobStatus.BadRequest, $"a get's 'channel' must be a transfer id (0 or more), not {id}"),
        },
    };
}
