using Granary.Transfers.Messages;

namespace Granary.Transfers.Channels;

/// <summary>What the responder makes of an open: its side's channel state (to persist first) and the reply to send.</summary>
/// <param name="State">The responder's channel: Ongoing (or ResponderPaused) if accepted, Failed if refused.</param>
/// <param name="Reply">The voucher result for the initiator.</param>
public sealed record ResponderDecision(ChannelState State, TransferVoucherResultMessage Reply);
