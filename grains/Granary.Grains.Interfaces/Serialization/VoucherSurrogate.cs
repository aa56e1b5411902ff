namespace Granary.Grains.Serialization;

/// <summary>A <see cref="Transfers.Channels.Voucher"/> between silos and in grain storage.</summary>
/// <param name="Type">The voucher type.</param>
/// <param name="Body">The encoded voucher.</param>
[GenerateSerializer]
public readonly record struct VoucherSurrogate([property: Id(0)] string Type, [property: Id(1)] byte[] Body);
