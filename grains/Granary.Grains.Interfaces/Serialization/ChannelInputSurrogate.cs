using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>A <see cref="ChannelInput"/> between silos.</summary>
[GenerateSerializer]
public readonly record struct ChannelInputSurrogate
{
    /// <summary><see cref="ChannelInput.Event"/>.</summary>
    [Id(0)] public ChannelEvent Event { get; init; }

    /// <summary><see cref="ChannelInput.At"/>.</summary>
    [Id(1)] public DateTimeOffset At { get; init; }

    /// <summary><see cref="ChannelInput.Bytes"/>.</summary>
    [Id(2)] public long Bytes { get; init; }

    /// <summary><see cref="ChannelInput.Message"/>.</summary>
    [Id(3)] public string? Message { get; init; }

    /// <summary><see cref="ChannelInput.Voucher"/>.</summary>
    [Id(4)] public Voucher? Voucher { get; init; }

    /// <summary><see cref="ChannelInput.VoucherResult"/>.</summary>
    [Id(5)] public VoucherResult? VoucherResult { get; init; }
}
