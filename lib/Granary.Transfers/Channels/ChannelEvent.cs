namespace Granary.Transfers.Channels;

/// <summary>
/// Something that happened to a transfer channel: go-data-transfer's event codes
/// (<c>datatransfer.EventCode</c>), same names. Each one either moves the channel to another
/// <see cref="ChannelStatus"/> or is recorded without changing it (<see cref="ChannelStateMachine"/>).
/// </summary>
public enum ChannelEvent
{
    /// <summary>The channel was opened (the initiator's request was sent or received).</summary>
    Open,

    /// <summary>The responder accepted the request.</summary>
    Accept,

    /// <summary>The channel was restarted after a disconnect or a process restart.</summary>
    Restart,

    /// <summary>Verified data arrived from the other side.</summary>
    DataReceived,

    /// <summary>Data was sent to the other side.</summary>
    DataSent,

    /// <summary>Data was read and queued for sending.</summary>
    DataQueued,

    /// <summary>One side cancelled the channel.</summary>
    Cancel,

    /// <summary>The channel failed (a refused voucher, data that did not verify, a timeout, …).</summary>
    Error,

    /// <summary>Clean-up after completion, failure or cancellation finished.</summary>
    CleanupComplete,

    /// <summary>A new voucher was sent or received on the channel.</summary>
    NewVoucher,

    /// <summary>A voucher result (the validator's answer) was sent or received.</summary>
    NewVoucherResult,

    /// <summary>The initiator paused the channel.</summary>
    PauseInitiator,

    /// <summary>The initiator resumed the channel.</summary>
    ResumeInitiator,

    /// <summary>The responder paused the channel (also: a data limit was reached).</summary>
    PauseResponder,

    /// <summary>The responder resumed the channel.</summary>
    ResumeResponder,

    /// <summary>The initiator has sent or received all data.</summary>
    FinishTransfer,

    /// <summary>The initiator learned that the responder completed.</summary>
    ResponderCompletes,

    /// <summary>The initiator learned that the responder waits for a final voucher.</summary>
    ResponderBeginsFinalization,

    /// <summary>The responder finished its part and waits for the initiator's final voucher.</summary>
    BeginFinalizing,

    /// <summary>
    /// The other side cannot be reached. Unlike go-data-transfer, where a stalled channel kept the
    /// status Ongoing with only a message saying so (its issue 149), this sets
    /// <see cref="ChannelState.IsDisconnected"/>, a field automation can read; a
    /// <see cref="Restart"/> or any data clears it.
    /// </summary>
    Disconnected,

    /// <summary>The transfer completed.</summary>
    Complete,
}
