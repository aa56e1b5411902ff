using Granary.Transfers.Channels;

namespace Granary.Grains.Serialization;

/// <summary>Lets Orleans serialize <see cref="ChannelState"/> through <see cref="ChannelStateSurrogate"/>.</summary>
[RegisterConverter]
public sealed class ChannelStateConverter : IConverter<ChannelState, ChannelStateSurrogate>
{
    /// <inheritdoc/>
    public ChannelState ConvertFromSurrogate(in ChannelStateSurrogate surrogate) => new()
    {
        Id = new ChannelId(surrogate.Initiator, surrogate.Responder, surrogate.TransferId),
        Direction = surrogate.Direction,
        Base = surrogate.Base,
        Paths = surrogate.Paths ?? [],
        Status = surrogate.Status,
        Message = surrogate.Message ?? string.Empty,
        IsDisconnected = surrogate.IsDisconnected,
        Sent = surrogate.Sent,
        Received = surrogate.Received,
        Queued = surrogate.Queued,
        DataLimit = surrogate.DataLimit,
        ConsecutiveRestarts = surrogate.ConsecutiveRestarts,
        Vouchers = surrogate.Vouchers ?? [],
        VoucherResults = surrogate.VoucherResults ?? [],
        Updated = surrogate.Updated,
    };

    /// <inheritdoc/>
    public ChannelStateSurrogate ConvertToSurrogate(in ChannelState value) => new()
    {
        Initiator = value.Id.Initiator,
        Responder = value.Id.Responder,
        TransferId = value.Id.TransferId,
        Direction = value.Direction,
        Base = value.Base,
        Paths = [.. value.Paths],
        Status = value.Status,
        Message = value.Message,
        IsDisconnected = value.IsDisconnected,
        Sent = value.Sent,
        Received = value.Received,
        Queued = value.Queued,
        DataLimit = value.DataLimit,
        ConsecutiveRestarts = value.ConsecutiveRestarts,
        Vouchers = [.. value.Vouchers],
        VoucherResults = [.. value.VoucherResults],
        Updated = value.Updated,
    };
}
