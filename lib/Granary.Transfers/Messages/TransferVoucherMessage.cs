using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Messages;

/// <summary><c>voucher</c>: a new voucher on an open channel (e.g. after a data limit paused it).</summary>
public sealed record TransferVoucherMessage(ulong TransferId, Voucher Voucher) : TransferMessage(TransferId)
{
    /// <summary>The op.</summary>
    public const string Op = "voucher";

    /// <inheritdoc/>
    public override MetadataBlock ToBlock() => new([.. Fields(Op), .. VoucherFields(Voucher)]);
}
