namespace Granary.Transfers.Messages;

/// <summary>What <see cref="TransferCommandRequest"/> asks of a channel.</summary>
public enum TransferCommand
{
    /// <summary>Pause this side (go-data-transfer's PauseDataTransferChannel).</summary>
    Pause,

    /// <summary>Resume this side.</summary>
    Resume,

    /// <summary>Restart after a disconnect or a crash, from what the receiver has verified.</summary>
    Restart,

    /// <summary>Cancel: both sides end in Cancelled.</summary>
    Cancel,
}
