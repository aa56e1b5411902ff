using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="VoucherResult"/> through <see cref="VoucherResultSurrogate"/>.</summary>
[RegisterConverter]
public sealed class VoucherResultConverter : IConverter<VoucherResult, VoucherResultSurrogate>
{
    /// <inheritdoc/>
    public VoucherResult ConvertFromSurrogate(in VoucherResultSurrogate surrogate) => new(surrogate.Type, surrogate.Accepted, surrogate.Message);

    /// <inheritdoc/>
    public VoucherResultSurrogate ConvertToSurrogate(in VoucherResult value) => new(value.Type, value.Accepted, value.Message);
}
