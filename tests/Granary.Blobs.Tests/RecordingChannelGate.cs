using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Tests;

/// <summary>
/// A real <see cref="IChannelDataGate"/> that records what the handler asks and refuses when told.
/// It stands in for the silo's transfer service (which answers from the channel's grain) at the
/// seam the product defines, so the handler's side of channel gets is tested alone here; the real
/// service behind this seam is covered by the process tests that run two silos.
/// </summary>
internal sealed class RecordingChannelGate : IChannelDataGate
{
    private readonly List<(NodeId Peer, ulong TransferId, Blake3Hash Hash, ChunkRanges Ranges)> _authorized = [];
    private readonly List<(NodeId Peer, ulong TransferId, long Bytes)> _sent = [];

    /// <summary>The refusal to throw from <see cref="AuthorizeAsync"/>; null: authorize.</summary>
    public BlobProtocolException? Refusal { get; set; }

    /// <summary>Every authorization asked for, in order (refused ones too).</summary>
    public IReadOnlyList<(NodeId Peer, ulong TransferId, Blake3Hash Hash, ChunkRanges Ranges)> Authorized
    {
        get
        {
            lock (_authorized)
            {
                return [.. _authorized];
            }
        }
    }

    /// <summary>Every count of sent bytes, in order.</summary>
    public IReadOnlyList<(NodeId Peer, ulong TransferId, long Bytes)> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    /// <inheritdoc/>
    public Task AuthorizeAsync(NodeId peer, ulong transferId, Blake3Hash hash, ChunkRanges ranges, CancellationToken cancellationToken)
    {
        lock (_authorized)
        {
            _authorized.Add((peer, transferId, hash, ranges));
        }

        return Refusal is { } refusal ? Task.FromException(refusal) : Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task SentAsync(NodeId peer, ulong transferId, long bytes, CancellationToken cancellationToken)
    {
        lock (_sent)
        {
            _sent.Add((peer, transferId, bytes));
        }

        return Task.CompletedTask;
    }
}
