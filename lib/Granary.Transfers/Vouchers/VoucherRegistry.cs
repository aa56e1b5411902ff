namespace Granary.Transfers.Vouchers;

/// <summary>
/// The voucher types this side accepts, each with its validator (go-data-transfer's
/// <c>RegisterVoucherType</c>). A voucher of a type nobody registered is refused with the list of
/// the types that are.
/// </summary>
public sealed class VoucherRegistry
{
    private readonly Dictionary<string, IVoucherValidator> _validators = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="validator"/> for its <see cref="IVoucherValidator.VoucherType"/>.</summary>
    /// <exception cref="ArgumentException">That type already has a validator.</exception>
    public VoucherRegistry Register(IVoucherValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (!_validators.TryAdd(validator.VoucherType, validator))
        {
            throw new ArgumentException($"The voucher type '{validator.VoucherType}' already has a validator.", nameof(validator));
        }

        return this;
    }

    /// <summary>Judges the request with the validator of its voucher's type: push, pull, or (<paramref name="restart"/>) a restart.</summary>
    public VoucherValidation Validate(ChannelRequest request, bool restart)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_validators.TryGetValue(request.Voucher.Type, out IVoucherValidator? validator))
        {
            string known = _validators.Count == 0 ? "none" : string.Join(", ", _validators.Keys.Order(StringComparer.Ordinal));
            return VoucherValidation.Refuse(request.Voucher.Type, $"No validator for voucher type '{request.Voucher.Type}' is registered here (known: {known}).");
        }

        return restart ? validator.ValidateRestart(request)
            : request.Direction == Channels.TransferDirection.Push ? validator.ValidatePush(request)
            : validator.ValidatePull(request);
    }
}
