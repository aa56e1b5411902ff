using System.Security.Cryptography;
using System.Text;
using Granary.Transfers.Channels;

namespace Granary.Transfers.Vouchers;

/// <summary>
/// The voucher of trusted peers (<c>granary/token/1</c>): its body is the responder cluster's admin
/// token, which allows any push or pull without a quota — for sites run by the same operator.
/// Compared in constant time.
/// </summary>
/// <param name="token">This cluster's admin token.</param>
public sealed class TokenVoucherValidator(string token) : IVoucherValidator
{
    /// <summary>The voucher type's name.</summary>
    public const string Type = "granary/token/1";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    /// <inheritdoc/>
    public string VoucherType => Type;

    /// <summary>A token voucher carrying <paramref name="token"/>.</summary>
    public static Voucher ToVoucher(string token) => new(Type, Encoding.UTF8.GetBytes(token));

    /// <inheritdoc/>
    public VoucherValidation ValidatePush(ChannelRequest request) => Validate(request);

    /// <inheritdoc/>
    public VoucherValidation ValidatePull(ChannelRequest request) => Validate(request);

    /// <inheritdoc/>
    public VoucherValidation ValidateRestart(ChannelRequest request) => Validate(request);

    private VoucherValidation Validate(ChannelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _token.Length > 0 && CryptographicOperations.FixedTimeEquals(request.Voucher.Body.Span, _token)
            ? new VoucherValidation(true, new VoucherResult(Type, true, "Accepted: the cluster token."))
            : VoucherValidation.Refuse(Type, "The token in the voucher is not this cluster's admin token.");
    }
}
