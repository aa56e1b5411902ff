namespace Granary.Grains.Serialization;

/// <summary>A <see cref="Transfers.Channels.VoucherResult"/> between silos and in grain storage.</summary>
[GenerateSerializer]
public readonly record struct VoucherResultSurrogate([property: Id(0)] string Type, [property: Id(1)] bool Accepted, [property: Id(2)] string Message);
