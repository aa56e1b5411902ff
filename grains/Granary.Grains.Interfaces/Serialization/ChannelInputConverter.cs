using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="ChannelInput"/> through <see cref="ChannelInputSurrogate"/>.</summary>
[RegisterConverter]
public sealed class ChannelInputConverter : IConverter<ChannelInput, ChannelInputSurrogate>
{
    /// <inheritdoc/>
    public ChannelInput ConvertFromSurrogate(in ChannelInputSurrogate surrogate) => new(surrogate.Event, surrogate.At)
    {
        Bytes = surrogate.Bytes,
        Message = surrogate.Message,
        Voucher = surrogate.Voucher,
        VoucherResult = surrogate.VoucherResult,
    };

    /// <inheritdoc/>
    public ChannelInputSurrogate ConvertToSurrogate(in ChannelInput value) => new()
    {
        Event = value.Event,
        At = value.At,
        Bytes = value.Bytes,
        Message = value.Message,
        Voucher = value.Voucher,
        VoucherResult = value.VoucherResult,
    };
}
