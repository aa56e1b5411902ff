namespace Granary.Transfers.Channels;

/// <summary>
/// One event for <see cref="ChannelStateMachine.Apply"/>, with what it carries: bytes for the data
/// events, a message for errors, cancels and disconnects, the voucher or voucher result for those
/// events, and the time it happened (the machine has no clock of its own).
/// </summary>
/// <param name="Event">What happened.</param>
/// <param name="At">When (UTC), as the caller's clock says.</param>
public sealed record ChannelInput(ChannelEvent Event, DateTimeOffset At)
{
    /// <summary>Bytes moved, for <see cref="ChannelEvent.DataSent"/>, <see cref="ChannelEvent.DataReceived"/> and <see cref="ChannelEvent.DataQueued"/>; never negative.</summary>
    public long Bytes { get; init; }

    /// <summary>Why (an error, a cancel, a disconnect); becomes <see cref="ChannelState.Message"/>.</summary>
    public string? Message { get; init; }

    /// <summary>The voucher of a <see cref="ChannelEvent.NewVoucher"/>.</summary>
    public Voucher? Voucher { get; init; }

    /// <summary>The result of a <see cref="ChannelEvent.NewVoucherResult"/>.</summary>
    public VoucherResult? VoucherResult { get; init; }
}
