using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.Grains;

/// <summary>
/// Keys and references of <see cref="ITransferChannelGrain"/>s: <c>initiator/ID</c> for a channel
/// this cluster opened (transfer ids are random 63-bit numbers, unique within the cluster that
/// chooses them), <c>responder/INITIATOR/ID</c> for one another node opened here. Neither names
/// the responder's silo, so a restart reaches the same grain through any silo of the cluster.
/// </summary>
public static class TransferChannelKeys
{
    /// <summary>The key of one side of a channel.</summary>
    public static string Key(ChannelSide side, ChannelId id) =>
        Key(side == ChannelSide.Initiator ? new ChannelRef(id.TransferId) : new ChannelRef(id.TransferId, id.Initiator));

    /// <summary>The key a user's channel reference names.</summary>
    public static string Key(ChannelRef channel) =>
        channel.Initiator is { } initiator ? $"responder/{initiator}/{channel.TransferId}" : $"initiator/{channel.TransferId}";

    /// <summary>The reference a key stands for.</summary>
    /// <exception cref="FormatException">Not a channel key.</exception>
    public static ChannelRef Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("initiator/", StringComparison.Ordinal) ? ChannelRef.Parse(key["initiator/".Length..])
            : key.StartsWith("responder/", StringComparison.Ordinal) ? ChannelRef.Parse(key["responder/".Length..])
            : throw new FormatException($"'{key}' is not a channel key.");
    }

    /// <summary>The grain keeping <paramref name="side"/> of channel <paramref name="id"/>.</summary>
    public static ITransferChannelGrain TransferChannel(this IGrainFactory grains, ChannelSide side, ChannelId id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITransferChannelGrain>(Key(side, id));
    }

    /// <summary>The grain keeping the channel <paramref name="channel"/> names.</summary>
    public static ITransferChannelGrain TransferChannel(this IGrainFactory grains, ChannelRef channel)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ITransferChannelGrain>(Key(channel));
    }
}
