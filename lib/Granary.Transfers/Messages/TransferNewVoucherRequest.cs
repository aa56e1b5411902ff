using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>
/// <c>new-voucher</c>: the initiator sends the responder a new voucher for a channel (a channel paused
/// at its data limit resumes when the responder accepts it; a refusal fails the channel with the
/// validator's message); the reply is the channel's <see cref="ChannelReport"/> after the answer.
/// </summary>
public sealed record TransferNewVoucherRequest(ChannelRef Channel, Voucher Voucher) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "new-voucher";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [.. RefFields(Channel), .. TransferMessage.VoucherFields(Voucher)];
}
