using Granary.Blobs.Protocol;

namespace Granary.Grains.Serialization;

/// <summary>The wire form of <see cref="Granary.Transfers.Channels.ChannelTerms"/>.</summary>
[GenerateSerializer]
public readonly record struct ChannelTermsSurrogate([property: Id(0)] long Size, [property: Id(1)] SiloTicket[] Peers, [property: Id(2)] bool KeepPartial);
