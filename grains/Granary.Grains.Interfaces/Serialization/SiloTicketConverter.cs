using Granary.Blobs.Protocol;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="SiloTicket"/> through <see cref="SiloTicketSurrogate"/>.</summary>
[RegisterConverter]
public sealed class SiloTicketConverter : IConverter<SiloTicket, SiloTicketSurrogate>
{
    /// <inheritdoc/>
    public SiloTicket ConvertFromSurrogate(in SiloTicketSurrogate surrogate) => SiloTicket.Parse(surrogate.Text);

    /// <inheritdoc/>
    public SiloTicketSurrogate ConvertToSurrogate(in SiloTicket value) => new(value.ToString());
}
