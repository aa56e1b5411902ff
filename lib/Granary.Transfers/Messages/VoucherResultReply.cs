using Granary.Blobs.Protocol;

namespace Granary.Transfers.Messages;

/// <summary>The responder's answer to an open, restart or new voucher, as a reply block (status 200).</summary>
public sealed record VoucherResultReply(TransferVoucherResultMessage Message) : BlobReply, IBlobReply<VoucherResultReply>
{
    /// <inheritdoc/>
    public static VoucherResultReply Parse(MetadataBlock block)
    {
        TransferMessage message;
        try
        {
            message = TransferMessage.Parse(block);
        }
        catch (TransferProtocolException error)
        {
            // A reply's parse speaks the blobs protocol's error, as IBlobReply.Parse documents.
            throw new BlobProtocolException(BlobStatus.BadRequest, $"the voucher result is malformed: {error.Message.TrimEnd('.')}");
        }

        return message is TransferVoucherResultMessage result
            ? new VoucherResultReply(result)
            : throw new BlobProtocolException(BlobStatus.BadRequest, "the reply is not a voucher result");
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => Message.ToBlock().Fields.Where(f => f.Key != "status");
}
