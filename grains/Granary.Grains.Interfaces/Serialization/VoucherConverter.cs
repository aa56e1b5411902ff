using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="Voucher"/> through <see cref="VoucherSurrogate"/>.</summary>
[RegisterConverter]
public sealed class VoucherConverter : IConverter<Voucher, VoucherSurrogate>
{
    /// <inheritdoc/>
    public Voucher ConvertFromSurrogate(in VoucherSurrogate surrogate) => new(surrogate.Type, surrogate.Body);

    /// <inheritdoc/>
    public VoucherSurrogate ConvertToSurrogate(in Voucher value) => new(value.Type, value.Body.ToArray());
}
