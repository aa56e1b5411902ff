using Granary.Blobs.Protocol;

namespace Granary.Transfers.Messages;

/// <summary>The responder's answer to an open, restart or new voucher, as a reply block (status 200).</summary>
public sealed record VoucherResultReply(TransferVoucherResultMessage Message) : BlobReply, IBlobReply<VoucherResultReply>
{
    /// <inheritdoc/>
    public static VoucherResultReply Parse(MetadataBlock block) =>
        TransferMessage.Parse(block) is TransferVoucherResultMessage message
            ? new VoucherResultReply(message)
            : throw new BlobProtocolException(BlobStatus.BadRequest, "the reply is not a voucher result");

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => Message.ToBlock().Fields.Where(f => f.Key != "status");
}
