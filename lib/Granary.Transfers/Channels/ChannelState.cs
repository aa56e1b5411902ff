using Granary.Hashing;

namespace Granary.Transfers.Channels;

/// <summary>
/// One side's view of a transfer channel (go-data-transfer's <c>ChannelState</c>): what moves,
/// which way, where it stands, and how far it got. Immutable: <see cref="ChannelStateMachine.Apply"/>
/// returns a new state for each event, which the owner persists before acting on it.
/// </summary>
public sealed record ChannelState
{
    /// <summary>Who opened it, who answered, and the initiator's number for it.</summary>
    public required ChannelId Id { get; init; }

    /// <summary>Push (the initiator sends) or pull (the initiator receives).</summary>
    public required TransferDirection Direction { get; init; }

    /// <summary>The blob or collection the channel moves (go-data-transfer's base CID).</summary>
    public required Blake3Hash Base { get; init; }

    /// <summary>
    /// The selector (go-data-transfer's): paths within the base collection that the channel moves,
    /// as <see cref="PathSelector"/> reads them; empty: the whole blob or collection.
    /// </summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Where the channel stands.</summary>
    public ChannelStatus Status { get; init; } = ChannelStatus.Requested;

    /// <summary>The last error, cancel or disconnect reason; empty otherwise.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>
    /// True from a <see cref="ChannelEvent.Disconnected"/> until a restart or new data: the other
    /// side cannot be reached, whatever the status says (a field, not a message to parse).
    /// </summary>
    public bool IsDisconnected { get; init; }

    /// <summary>Bytes sent to the other side.</summary>
    public long Sent { get; init; }

    /// <summary>Verified bytes received from the other side.</summary>
    public long Received { get; init; }

    /// <summary>Bytes read and queued for sending.</summary>
    public long Queued { get; init; }

    /// <summary>Bytes the channel may move before it pauses for a new voucher (the validator's data limit); null: no limit.</summary>
    public long? DataLimit { get; init; }

    /// <summary>Restarts since the last data moved (a monitor gives up after a maximum of these).</summary>
    public int ConsecutiveRestarts { get; init; }

    /// <summary>Vouchers sent or received, oldest first.</summary>
    public IReadOnlyList<Voucher> Vouchers { get; init; } = [];

    /// <summary>Voucher results sent or received, oldest first.</summary>
    public IReadOnlyList<VoucherResult> VoucherResults { get; init; } = [];

    /// <summary>When the last event was applied (UTC).</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>True in <see cref="ChannelStatus.Completed"/>, <see cref="ChannelStatus.Failed"/> and <see cref="ChannelStatus.Cancelled"/>: nothing changes it any more.</summary>
    public bool IsFinal => ChannelStateMachine.IsFinal(Status);

    /// <summary>A new channel in <see cref="ChannelStatus.Requested"/>, as its <see cref="ChannelEvent.Open"/> leaves it.</summary>
    public static ChannelState Open(ChannelId id, TransferDirection direction, Blake3Hash @base, Voucher voucher, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return new ChannelState { Id = id, Direction = direction, Base = @base, Vouchers = [voucher], Updated = at };
    }
}
