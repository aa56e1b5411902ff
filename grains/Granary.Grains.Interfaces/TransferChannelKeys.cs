using Granary.Transfers.Channels;

namespace Granary.Grains;

/// <summary>Keys and references of <see cref="ITransferChannelGrain"/>s.</summary>
public static class TransferChannelKeys
{
    /// <summary>The key of one side of a channel: <c>initiator/ID</c> or <c>responder/ID</c>.</summary>
    public static string Key(ChannelSide side, ChannelId id) => $"{(side == ChannelSide.Initiator ? "initiator" : "responder")}/{id}";

    /// <summary>The grain keeping <paramref name="side"/> of channel <paramref name="id"/>.</summary>
    public static ITransferChannelGrain TransferChannel(this IGrainFactory grains, ChannelSide side, ChannelId id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITransferChannelGrain>(Key(side, id));
    }
}
