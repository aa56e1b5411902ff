using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>A <see cref="ChannelStep"/> between silos.</summary>
/// <param name="State">The state after the event.</param>
/// <param name="Refusal">Why the event did not apply, or null.</param>
[GenerateSerializer]
public readonly record struct ChannelStepSurrogate([property: Id(0)] ChannelState State, [property: Id(1)] string? Refusal);
