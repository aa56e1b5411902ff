namespace Granary.Transfers.Channels;

/// <summary>
/// Where a transfer channel stands: go-data-transfer's statuses (<c>datatransfer.Status</c>, with
/// v1's paused statuses), same names and meanings. <see cref="ChannelStateMachine"/> moves a
/// channel between them on <see cref="ChannelEvent"/>s; <see cref="Completed"/>,
/// <see cref="Failed"/> and <see cref="Cancelled"/> are final.
/// </summary>
public enum ChannelStatus
{
    /// <summary>Opened by the initiator, not yet accepted by the responder.</summary>
    Requested,

    /// <summary>Accepted; data flows.</summary>
    Ongoing,

    /// <summary>The initiator has sent or received all data and waits for the responder to confirm.</summary>
    TransferFinished,

    /// <summary>The responder said it is done; the initiator has not finished its side yet.</summary>
    ResponderCompleted,

    /// <summary>The responder waits for a final voucher from the initiator (a validator asked for finalization).</summary>
    Finalizing,

    /// <summary>Done; final clean-up (e.g. the receiver storing the blob) is in progress.</summary>
    Completing,

    /// <summary>Done, successfully. Final.</summary>
    Completed,

    /// <summary>Failed; clean-up is in progress.</summary>
    Failing,

    /// <summary>Failed; <see cref="ChannelState.Message"/> says why. Final.</summary>
    Failed,

    /// <summary>Cancelled by one side; clean-up is in progress.</summary>
    Cancelling,

    /// <summary>Ended early by one side. Final.</summary>
    Cancelled,

    /// <summary>Paused by the initiator; only the initiator can resume it.</summary>
    InitiatorPaused,

    /// <summary>Paused by the responder (or by a data limit); only the responder can resume it.</summary>
    ResponderPaused,

    /// <summary>Paused by both; each must resume.</summary>
    BothPaused,

    /// <summary>The initiator learned that the responder waits for a final voucher.</summary>
    ResponderFinalizing,

    /// <summary>As <see cref="ResponderFinalizing"/>, and the initiator has all the data.</summary>
    ResponderFinalizingTransferFinished,
}
