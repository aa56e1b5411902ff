using Granary.Hashing;
using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>A <see cref="ChannelState"/> between silos and in grain storage: the same members, the id in its three parts.</summary>
[GenerateSerializer]
public readonly record struct ChannelStateSurrogate
{
    /// <summary><see cref="ChannelId.Initiator"/> of <see cref="ChannelState.Id"/>.</summary>
    [Id(0)] public Transport.NodeId Initiator { get; init; }

    /// <summary><see cref="ChannelId.Responder"/> of <see cref="ChannelState.Id"/>.</summary>
    [Id(14)] public Transport.NodeId Responder { get; init; }

    /// <summary><see cref="ChannelId.TransferId"/> of <see cref="ChannelState.Id"/>.</summary>
    [Id(15)] public ulong TransferId { get; init; }

    /// <summary><see cref="ChannelState.Direction"/>.</summary>
    [Id(1)] public TransferDirection Direction { get; init; }

    /// <summary><see cref="ChannelState.Base"/>.</summary>
    [Id(2)] public Blake3Hash Base { get; init; }

    /// <summary><see cref="ChannelState.Status"/>.</summary>
    [Id(3)] public ChannelStatus Status { get; init; }

    /// <summary><see cref="ChannelState.Message"/>.</summary>
    [Id(4)] public string Message { get; init; }

    /// <summary><see cref="ChannelState.IsDisconnected"/>.</summary>
    [Id(5)] public bool IsDisconnected { get; init; }

    /// <summary><see cref="ChannelState.Sent"/>.</summary>
    [Id(6)] public long Sent { get; init; }

    /// <summary><see cref="ChannelState.Received"/>.</summary>
    [Id(7)] public long Received { get; init; }

    /// <summary><see cref="ChannelState.Queued"/>.</summary>
    [Id(8)] public long Queued { get; init; }

    /// <summary><see cref="ChannelState.DataLimit"/>.</summary>
    [Id(9)] public long? DataLimit { get; init; }

    /// <summary><see cref="ChannelState.ConsecutiveRestarts"/>.</summary>
    [Id(10)] public int ConsecutiveRestarts { get; init; }

    /// <summary><see cref="ChannelState.Vouchers"/>.</summary>
    [Id(11)] public List<Voucher> Vouchers { get; init; }

    /// <summary><see cref="ChannelState.VoucherResults"/>.</summary>
    [Id(12)] public List<VoucherResult> VoucherResults { get; init; }

    /// <summary><see cref="ChannelState.Updated"/>.</summary>
    [Id(13)] public DateTimeOffset Updated { get; init; }

    /// <summary><see cref="ChannelState.Paths"/>.</summary>
    [Id(16)] public List<string>? Paths { get; init; }
}
