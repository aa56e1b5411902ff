using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Converts <see cref="ChannelTerms"/> to and from <see cref="ChannelTermsSurrogate"/>.</summary>
[RegisterConverter]
public sealed class ChannelTermsConverter : IConverter<ChannelTerms, ChannelTermsSurrogate>
{
    /// <inheritdoc/>
    public ChannelTerms ConvertFromSurrogate(in ChannelTermsSurrogate surrogate) =>
        new() { Size = surrogate.Size, Peers = [.. surrogate.Peers ?? []], KeepPartial = surrogate.KeepPartial };

    /// <inheritdoc/>
    public ChannelTermsSurrogate ConvertToSurrogate(in ChannelTerms value) =>
        new(value.Size, [.. value.Peers], value.KeepPartial);
}
