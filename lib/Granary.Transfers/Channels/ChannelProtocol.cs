using Granary.Transfers.Messages;

namespace Granary.Transfers.Channels;

/// <summary>
/// What each side does with what the other sends, without IO: a voucher result, data moved under
/// a data limit, a control message. Each function takes a side's state and returns the next one;
/// the caller persists it (the channel's grain) and sends what the functions say to send.
/// </summary>
public static class ChannelProtocol
{
    /// <summary>
    /// The initiator's side after the responder's <paramref name="reply"/> to its open or to a new
    /// voucher: accepted → Ongoing (or ResponderPaused if the responder starts it paused; a reply to
    /// a new voucher resumes a channel paused at its data limit, with the new limit); refused →
    /// Failed with the validator's sentence.
    /// </summary>
    public static ChannelState OnVoucherResult(ChannelState state, TransferVoucherResultMessage reply, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(reply);
        state = Step(state, new ChannelInput(ChannelEvent.NewVoucherResult, now) { VoucherResult = reply.Result });
        if (!reply.Result.Accepted)
        {
            state = Step(state, new ChannelInput(ChannelEvent.Error, now) { Message = reply.Result.Message });
            return Step(state, new ChannelInput(ChannelEvent.CleanupComplete, now));
        }

        if (state.Status == ChannelStatus.Requested)
        {
            state = Step(state, new ChannelInput(ChannelEvent.Accept, now)) with { DataLimit = reply.DataLimit };
            return reply.Paused ? Step(state, new ChannelInput(ChannelEvent.PauseResponder, now)) : state;
        }

        // A new voucher answered: the limit moves, and a channel the limit paused goes on.
        state = state with { DataLimit = reply.DataLimit };
        return state.Status is ChannelStatus.ResponderPaused or ChannelStatus.BothPaused && !reply.Paused
            ? Step(state, new ChannelInput(ChannelEvent.ResumeResponder, now)) with { Message = string.Empty }
            : state;
    }

    /// <summary>
    /// Counts <paramref name="bytes"/> moved (<paramref name="data"/> is DataSent or DataReceived)
    /// and, once the channel's data limit is reached, pauses it for the responder (either side
    /// applies this, so both stop at the same count): the sender waits for a new voucher.
    /// </summary>
    /// <returns>The state, and whether this step reached the limit (the caller then asks for, or waits for, a new voucher).</returns>
    public static (ChannelState State, bool LimitReached) OnData(ChannelState state, ChannelEvent data, long bytes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (data is not (ChannelEvent.DataSent or ChannelEvent.DataReceived))
        {
            throw new ArgumentException($"{data} is not a data event (DataSent or DataReceived).", nameof(data));
        }

        state = Step(state, new ChannelInput(data, now) { Bytes = bytes });
        long moved = data == ChannelEvent.DataSent ? state.Sent : state.Received;
        if (state.DataLimit is not { } limit || moved < limit || state.Status is not (ChannelStatus.Ongoing or ChannelStatus.InitiatorPaused))
        {
            return (state, false);
        }

        state = Step(state, new ChannelInput(ChannelEvent.PauseResponder, now));
        return (state with { Message = $"The data limit of {limit:N0} bytes is reached: the channel waits for a new voucher." }, true);
    }

    /// <summary>The event a control message from the other side means to the receiving side.</summary>
    /// <param name="message">The message.</param>
    /// <param name="fromInitiator">True if the initiator sent it.</param>
    /// <exception cref="TransferProtocolException">A message the sender may not send (finish from the responder, complete from the initiator).</exception>
    public static ChannelEvent EventOf(TransferControl message, bool fromInitiator)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (message.Kind, fromInitiator) switch
        {
            (TransferControlKind.Pause, true) => ChannelEvent.PauseInitiator,
            (TransferControlKind.Pause, false) => ChannelEvent.PauseResponder,
            (TransferControlKind.Resume, true) => ChannelEvent.ResumeInitiator,
            (TransferControlKind.Resume, false) => ChannelEvent.ResumeResponder,
            (TransferControlKind.Cancel, _) => ChannelEvent.Cancel,
            (TransferControlKind.Finish, true) => ChannelEvent.FinishTransfer,
            (TransferControlKind.Complete, false) => ChannelEvent.ResponderCompletes,
            _ => throw new TransferProtocolException($"The {(fromInitiator ? "initiator" : "responder")} may not send '{message.Kind.ToString().ToLowerInvariant()}'."),
        };
    }

    private static ChannelState Step(ChannelState state, ChannelInput input)
    {
        ChannelStep step = ChannelStateMachine.Apply(state, input);
        return step.Applied ? step.State : throw new TransferProtocolException(step.Refusal!);
    }
}
