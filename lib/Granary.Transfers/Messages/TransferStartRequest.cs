using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>
/// <c>start</c>: open a channel from this cluster (the initiator) to the silos <paramref name="Peers"/>
/// of another: push (this cluster sends <paramref name="Base"/>) or pull (it receives it), under
/// <paramref name="Voucher"/>. The reply is the channel's <see cref="ChannelReport"/> once the
/// responder answered (Ongoing, or Failed with the validator's message).
/// </summary>
public sealed record TransferStartRequest(TransferDirection Direction, IReadOnlyList<SiloTicket> Peers, Blake3Hash Base, Voucher Voucher) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "start";

    /// <summary>The most peer silos a request names: 16.</summary>
    public const int MaxPeers = 16;

    /// <summary>The selector: paths within the base collection to move (<see cref="PathSelector"/>); empty: all of it.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Keep verified blocks of a cancelled or failed receive as a partial blob.</summary>
    public bool KeepPartial { get; init; }

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
    [
        new("dir", Word(Direction)),
        new("peers", MetadataBlock.TicketsField(Peers)),
        new("base", Base.ToArray()),
        new("keep", KeepPartial ? 1L : 0L),
        .. TransferMessage.PathsFields(Paths),
        .. TransferMessage.VoucherFields(Voucher),
    ];

    internal static TransferStartRequest Read(MetadataBlock block)
    {
        IReadOnlyList<SiloTicket> peers = block.Tickets("peers");
        if (peers.Count is 0 or > MaxPeers)
        {
            throw new TransferProtocolException($"A start names 1 to {MaxPeers} silos of the other side, not {peers.Count}.");
        }

        return new TransferStartRequest(ReadDirection(block), peers, block.RequiredHash("base", "A start"), TransferMessage.ReadVoucher(block)) { KeepPartial = block.Number("keep") == 1, Paths = TransferMessage.ReadPaths(block) };
    }
}
