using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="ChannelStep"/> through <see cref="ChannelStepSurrogate"/>.</summary>
[RegisterConverter]
public sealed class ChannelStepConverter : IConverter<ChannelStep, ChannelStepSurrogate>
{
    /// <inheritdoc/>
    public ChannelStep ConvertFromSurrogate(in ChannelStepSurrogate surrogate) => new(surrogate.State, surrogate.Refusal);

    /// <inheritdoc/>
    public ChannelStepSurrogate ConvertToSurrogate(in ChannelStep value) => new(value.State, value.Refusal);
}
