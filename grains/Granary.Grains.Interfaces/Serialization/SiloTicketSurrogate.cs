namespace Granary.Grains.Serialization;

/// <summary>A <see cref="Blobs.Protocol.SiloTicket"/> on the wire between silos: its text form.</summary>
/// <param name="Text">The ticket as <see cref="Blobs.Protocol.SiloTicket.ToString"/> prints it.</param>
[GenerateSerializer]
public readonly record struct SiloTicketSurrogate([property: Id(0)] string Text);
