using Granary.Transfers.Channels;

namespace Granary.Grains;

/// <summary>One applied event of a channel and the state it left (what a watch delivers), numbered from 1 in the order applied.</summary>
/// <param name="Sequence">The event's number.</param>
/// <param name="Event">The event.</param>
/// <param name="State">The channel after it.</param>
[GenerateSerializer]
public sealed record ChannelHistoryEntry([property: Id(0)] long Sequence, [property: Id(1)] ChannelEvent Event, [property: Id(2)] ChannelState State);
