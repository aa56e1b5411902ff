using System.Collections.Frozen;

namespace Granary.Transfers.Channels;

/// <summary>
/// The transfer channel's state machine: status × event → status, after go-data-transfer's
/// channel FSM (<c>channels/channels_fsm.go</c>, v1 with its paused statuses), written as go-fsm
/// writes it — one rule per event, "from these statuses to that one" — and applied purely: no
/// IO, no clock, no randomness. The same machine runs on both sides of a channel; each side feeds
/// it its own events and the ones the other side's messages announce.
/// </summary>
/// <remarks>
/// Departures from go-data-transfer, each for a failure its users reported: a disconnect is a
/// field (<see cref="ChannelState.IsDisconnected"/>), not only a message (its issue 149); restarts
/// are counted until data moves again, so a monitor can stop restarting a channel that never
/// progresses (its PR 129); pause needs an accepted channel (a pause of a request that was never
/// accepted had no status to return to). ARCHITECTURE.md has the whole table.
/// </remarks>
public static class ChannelStateMachine
{
    private static readonly ChannelStatus[] Paused = [ChannelStatus.InitiatorPaused, ChannelStatus.ResponderPaused, ChannelStatus.BothPaused];

    /// <summary>Accepted and not yet finishing: data may flow (or would, but for a pause).</summary>
    private static readonly ChannelStatus[] Transferring = [ChannelStatus.Ongoing, .. Paused];

    /// <summary>Every status but the final three.</summary>
    private static readonly ChannelStatus[] Live = [.. Enum.GetValues<ChannelStatus>().Where(s => !IsFinal(s))];

    /// <summary>Live and not yet winding down (clean-up of a completion, failure or cancel).</summary>
    private static readonly ChannelStatus[] Running = [.. Live.Except([ChannelStatus.Completing, ChannelStatus.Failing, ChannelStatus.Cancelling])];

    /// <summary>Per event: each status it applies in, and the status it leads to (the same status: recorded, not moved).</summary>
    private static readonly FrozenDictionary<ChannelEvent, FrozenDictionary<ChannelStatus, ChannelStatus>> Rules = BuildRules();

    /// <summary>True for <see cref="ChannelStatus.Completed"/>, <see cref="ChannelStatus.Failed"/> and <see cref="ChannelStatus.Cancelled"/>.</summary>
    public static bool IsFinal(ChannelStatus status) =>
        status is ChannelStatus.Completed or ChannelStatus.Failed or ChannelStatus.Cancelled;

    /// <summary>The status <paramref name="input"/> leads to from <paramref name="status"/>, or null if it does not apply there.</summary>
    public static ChannelStatus? Next(ChannelStatus status, ChannelEvent input) =>
        Rules.TryGetValue(input, out var from) && from.TryGetValue(status, out ChannelStatus to) ? to : null;

    /// <summary>
    /// Applies <paramref name="input"/> to <paramref name="state"/>: the new status, counters,
    /// vouchers, message and disconnect flag. An event the current status does not allow leaves
    /// the state as it was and says why (<see cref="ChannelStep.Refusal"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A data event with negative bytes.</exception>
    /// <exception cref="ArgumentException">A voucher event without its voucher or result.</exception>
    public static ChannelStep Apply(ChannelState state, ChannelInput input)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(input.Bytes);
        if (Next(state.Status, input.Event) is not { } next)
        {
            return new ChannelStep(state, IsFinal(state.Status)
                ? $"The channel is {state.Status}: it takes no {input.Event} any more."
                : $"{input.Event} does not apply to a channel that is {state.Status}.");
        }

        ChannelState after = state with { Status = next, Updated = input.At };
        after = input.Event switch
        {
            ChannelEvent.DataSent => after with { Sent = state.Sent + input.Bytes, IsDisconnected = false, ConsecutiveRestarts = 0 },
            ChannelEvent.DataReceived => after with { Received = state.Received + input.Bytes, IsDisconnected = false, ConsecutiveRestarts = 0 },
            ChannelEvent.DataQueued => after with { Queued = state.Queued + input.Bytes },
            ChannelEvent.Restart => after with { IsDisconnected = false, Message = string.Empty, ConsecutiveRestarts = state.ConsecutiveRestarts + 1 },
            ChannelEvent.Disconnected => after with { IsDisconnected = true, Message = input.Message ?? "The other side cannot be reached." },
            ChannelEvent.Error or ChannelEvent.Cancel => after with { Message = input.Message ?? state.Message },
            ChannelEvent.NewVoucher => after with
            {
                Vouchers = [.. state.Vouchers, input.Voucher ?? throw new ArgumentException("A NewVoucher event needs its voucher.", nameof(input))],
            },
            ChannelEvent.NewVoucherResult => after with
            {
                VoucherResults = [.. state.VoucherResults, input.VoucherResult ?? throw new ArgumentException("A NewVoucherResult event needs its result.", nameof(input))],
            },
            _ => after,
        };
        return new ChannelStep(after, null);
    }

    private static FrozenDictionary<ChannelEvent, FrozenDictionary<ChannelStatus, ChannelStatus>> BuildRules()
    {
        var rules = new Dictionary<ChannelEvent, Dictionary<ChannelStatus, ChannelStatus>>();

        void Rule(ChannelEvent input, IEnumerable<ChannelStatus> from, ChannelStatus? to)
        {
            if (!rules.TryGetValue(input, out var map))
            {
                rules[input] = map = [];
            }

            foreach (ChannelStatus status in from)
            {
                // Later rules of an event refine earlier ones (go-fsm's order of From clauses).
                map[status] = to ?? status;
            }
        }

        // Recorded without a move (to: null keeps the status).
        Rule(ChannelEvent.Open, [ChannelStatus.Requested], null);
        Rule(ChannelEvent.Restart, Running, null);
        Rule(ChannelEvent.DataSent, Live, null);
        Rule(ChannelEvent.DataReceived, Live, null);
        Rule(ChannelEvent.DataQueued, Live, null);
        Rule(ChannelEvent.NewVoucher, Running, null);
        Rule(ChannelEvent.NewVoucherResult, Running, null);
        Rule(ChannelEvent.Disconnected, Live, null);

        Rule(ChannelEvent.Accept, [ChannelStatus.Requested], ChannelStatus.Ongoing);

        Rule(ChannelEvent.PauseInitiator, [ChannelStatus.Ongoing], ChannelStatus.InitiatorPaused);
        Rule(ChannelEvent.PauseInitiator, [ChannelStatus.ResponderPaused], ChannelStatus.BothPaused);
        Rule(ChannelEvent.PauseInitiator, [ChannelStatus.InitiatorPaused, ChannelStatus.BothPaused], null);
        Rule(ChannelEvent.PauseResponder, [ChannelStatus.Ongoing], ChannelStatus.ResponderPaused);
        Rule(ChannelEvent.PauseResponder, [ChannelStatus.InitiatorPaused], ChannelStatus.BothPaused);
        Rule(ChannelEvent.PauseResponder, [ChannelStatus.ResponderPaused, ChannelStatus.BothPaused], null);
        Rule(ChannelEvent.ResumeInitiator, [ChannelStatus.InitiatorPaused], ChannelStatus.Ongoing);
        Rule(ChannelEvent.ResumeInitiator, [ChannelStatus.BothPaused], ChannelStatus.ResponderPaused);
        Rule(ChannelEvent.ResumeInitiator, [ChannelStatus.Ongoing, ChannelStatus.ResponderPaused], null);
        Rule(ChannelEvent.ResumeResponder, [ChannelStatus.ResponderPaused], ChannelStatus.Ongoing);
        Rule(ChannelEvent.ResumeResponder, [ChannelStatus.BothPaused], ChannelStatus.InitiatorPaused);
        Rule(ChannelEvent.ResumeResponder, [ChannelStatus.Ongoing, ChannelStatus.InitiatorPaused], null);
        // The responder resumes a channel it held for a final voucher: the transfer can complete.
        Rule(ChannelEvent.ResumeResponder, [ChannelStatus.Finalizing], ChannelStatus.Completing);

        Rule(ChannelEvent.FinishTransfer, Transferring, ChannelStatus.TransferFinished);
        Rule(ChannelEvent.FinishTransfer, [ChannelStatus.ResponderCompleted], ChannelStatus.Completing);
        Rule(ChannelEvent.FinishTransfer, [ChannelStatus.ResponderFinalizing], ChannelStatus.ResponderFinalizingTransferFinished);
        Rule(ChannelEvent.ResponderBeginsFinalization, Transferring, ChannelStatus.ResponderFinalizing);
        Rule(ChannelEvent.ResponderBeginsFinalization, [ChannelStatus.TransferFinished], ChannelStatus.ResponderFinalizingTransferFinished);
        Rule(ChannelEvent.ResponderCompletes, [.. Transferring, ChannelStatus.ResponderFinalizing], ChannelStatus.ResponderCompleted);
        Rule(ChannelEvent.ResponderCompletes, [ChannelStatus.TransferFinished, ChannelStatus.ResponderFinalizingTransferFinished], ChannelStatus.Completing);
        Rule(ChannelEvent.BeginFinalizing, Transferring, ChannelStatus.Finalizing);
        Rule(ChannelEvent.Complete, [ChannelStatus.Ongoing, ChannelStatus.TransferFinished, ChannelStatus.ResponderCompleted, ChannelStatus.Finalizing], ChannelStatus.Completing);

        Rule(ChannelEvent.Cancel, Running, ChannelStatus.Cancelling);
        Rule(ChannelEvent.Cancel, [ChannelStatus.Cancelling], null);
        Rule(ChannelEvent.Error, Live, ChannelStatus.Failing);
        Rule(ChannelEvent.CleanupComplete, [ChannelStatus.Completing], ChannelStatus.Completed);
        Rule(ChannelEvent.CleanupComplete, [ChannelStatus.Failing], ChannelStatus.Failed);
        Rule(ChannelEvent.CleanupComplete, [ChannelStatus.Cancelling], ChannelStatus.Cancelled);

        return rules.ToFrozenDictionary(r => r.Key, r => r.Value.ToFrozenDictionary());
    }
}
