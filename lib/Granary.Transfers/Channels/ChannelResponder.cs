using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;

namespace Granary.Transfers.Channels;

/// <summary>
/// The responder's protocol logic, without IO: an <c>open</c> in, the channel
/// state and the reply out. The QUIC handler reads the message and the peer's proven node id,
/// persists <see cref="ResponderDecision.State"/> (through the channel's grain), then sends
/// <see cref="ResponderDecision.Reply"/>; the same input always gives the same decision.
/// </summary>
public static class ChannelResponder
{
    /// <summary>Decides on <paramref name="open"/> from <paramref name="peer"/>.</summary>
    /// <param name="open">The request.</param>
    /// <param name="peer">The initiator, as its QUIC certificate proved it.</param>
    /// <param name="self">This side's node id.</param>
    /// <param name="size">
    /// The bytes the channel moves: for a pull, the size of the blob here (the caller looked it up;
    /// a missing blob is refused before this); for a push, the size the initiator declared.
    /// </param>
    /// <param name="vouchers">The voucher types accepted here.</param>
    /// <param name="now">This side's clock.</param>
    public static ResponderDecision Decide(TransferOpen open, NodeId peer, NodeId self, long size, VoucherRegistry vouchers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(vouchers);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (open.IsRestart)
        {
            // A restart continues a stored channel (its counters, vouchers and limit): the
            // channel's grain decides it from that state, not from the message alone.
            throw new ArgumentException("A restart is decided from the stored channel, not by Decide.", nameof(open));
        }

        var id = new ChannelId(peer, self, open.TransferId);
        VoucherValidation validation = vouchers.Validate(new ChannelRequest(id, peer, open.Direction, open.Base, size, open.Voucher, now), restart: false);

        ChannelState state = ChannelState.Open(id, open.Direction, open.Base, open.Voucher, now) with { Paths = open.Paths };
        state = Step(state, new ChannelInput(ChannelEvent.Open, now));
        state = Step(state, new ChannelInput(ChannelEvent.NewVoucherResult, now) { VoucherResult = validation.Result });
        if (validation.Accepted)
        {
            state = Step(state, new ChannelInput(ChannelEvent.Accept, now)) with { DataLimit = validation.DataLimit };
            if (validation.ForcePause)
            {
                state = Step(state, new ChannelInput(ChannelEvent.PauseResponder, now));
            }
        }
        else
        {
            state = Step(state, new ChannelInput(ChannelEvent.Error, now) { Message = validation.Result.Message });
            state = Step(state, new ChannelInput(ChannelEvent.CleanupComplete, now));
        }

        var reply = new TransferVoucherResultMessage(open.TransferId, validation.Result)
        {
            DataLimit = validation.DataLimit,
            Paused = validation.ForcePause,
            RequiresFinalization = validation.RequiresFinalization,
            // A refused peer learns nothing about what is stored here, not even a size.
            Size = validation.Accepted ? size : null,
        };
        return new ResponderDecision(state, reply);
    }

    private static ChannelState Step(ChannelState state, ChannelInput input)
    {
        ChannelStep step = ChannelStateMachine.Apply(state, input);
        return step.Applied ? step.State : throw new InvalidOperationException($"The responder's own step failed: {step.Refusal}");
    }
}
