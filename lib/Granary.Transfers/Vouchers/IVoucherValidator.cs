namespace Granary.Transfers.Vouchers;

/// <summary>
/// Judges the vouchers of one registered type (go-data-transfer's <c>RequestValidator</c>):
/// pure functions of the request, so the same answer follows from the same request.
/// </summary>
public interface IVoucherValidator
{
    /// <summary>The voucher type this validator reads (e.g. <see cref="Grant.VoucherType"/>).</summary>
    string VoucherType { get; }

    /// <summary>May the peer push <see cref="ChannelRequest.Base"/> to us?</summary>
    VoucherValidation ValidatePush(ChannelRequest request);

    /// <summary>May the peer pull <see cref="ChannelRequest.Base"/> from us?</summary>
    VoucherValidation ValidatePull(ChannelRequest request);

    /// <summary>May the channel restart (its voucher is checked again: it may have expired meanwhile)?</summary>
    VoucherValidation ValidateRestart(ChannelRequest request);
}
