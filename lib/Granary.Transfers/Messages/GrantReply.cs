using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary>The reply to <see cref="GrantIssueRequest"/>: the signed grant as a voucher.</summary>
public sealed record GrantReply(Voucher Voucher) : BlobReply, IBlobReply<GrantReply>
{
    /// <inheritdoc/>
    public static GrantReply Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        try
        {
            return new GrantReply(TransferMessage.ReadVoucher(block));
        }
        catch (TransferProtocolException error)
        {
            // A reply's parse speaks the blobs protocol's error, as IBlobReply.Parse documents.
            throw new BlobProtocolException(BlobStatus.BadRequest, $"the grant reply is malformed: {error.Message.TrimEnd('.')}");
        }
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => TransferMessage.VoucherFields(Voucher);
}
