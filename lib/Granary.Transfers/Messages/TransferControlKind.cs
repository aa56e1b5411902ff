namespace Granary.Transfers.Messages;

/// <summary>The control messages either side may send on a channel; their <c>op</c> is the lower-case name.</summary>
public enum TransferControlKind
{
    /// <summary>The sender paused its side.</summary>
    Pause,

    /// <summary>The sender resumed its side.</summary>
    Resume,

    /// <summary>The sender cancelled the channel.</summary>
    Cancel,

    /// <summary>The initiator has sent or received all data (go-data-transfer's FinishTransfer).</summary>
    Finish,

    /// <summary>The responder completed its part (go-data-transfer's ResponderCompletes).</summary>
    Complete,
}
