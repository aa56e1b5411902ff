using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Server;

/// <summary>
/// Lets a <c>get</c> that names a transfer channel through without a token: the channel's voucher
/// authorized the receiver, and the channel's owner (the transfer service, over the channel's grain)
/// says whether this piece may go now. go-data-transfer's graphsync transport checks each request
/// against the channel the same way.
/// </summary>
public interface IChannelDataGate
{
    /// <summary>
    /// Checks that <paramref name="peer"/> may receive <paramref name="ranges"/> of
    /// <paramref name="hash"/> under its channel <paramref name="transferId"/> now: the channel exists
    /// with that peer as its receiver, runs (not paused, not final), and moves that blob.
    /// </summary>
    /// <exception cref="BlobProtocolException">Refused: 401 (no such channel for this peer, or the blob is not the channel's), 503 (paused or not running; ask again later).</exception>
    Task AuthorizeAsync(NodeId peer, ulong transferId, Blake3Hash hash, ChunkRanges ranges, CancellationToken cancellationToken);

    /// <summary>Counts <paramref name="bytes"/> of blob data sent to <paramref name="peer"/> on channel <paramref name="transferId"/> (after the reply was written).</summary>
    Task SentAsync(NodeId peer, ulong transferId, long bytes, CancellationToken cancellationToken);
}
