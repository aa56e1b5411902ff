using Granary.Transfers.Channels;

namespace Granary.Grains;

/// <summary>
/// One side of one transfer channel (key <c>SIDE/CHANNELID</c>, <see cref="TransferChannelKeys"/>):
/// the channel's <see cref="ChannelState"/>, persisted in grain storage on every status change, so
/// a silo crash never loses a channel — the grain reactivates on another silo with the state as
/// last written. Events go through <see cref="ChannelStateMachine"/>; the grain adds persistence.
/// </summary>
public interface ITransferChannelGrain : IGrainWithStringKey
{
    /// <summary>The channel, or null if it was never opened.</summary>
    Task<ChannelState?> GetAsync();

    /// <summary>
    /// Stores a new channel (written before this returns). Opening it again with the same base,
    /// direction and first voucher returns the stored state (a retried open is harmless).
    /// </summary>
    /// <exception cref="InvalidOperationException">A channel with this key exists with other terms.</exception>
    Task<ChannelState> OpenAsync(ChannelState initial);

    /// <summary>
    /// Applies one event; a status change, a voucher, a disconnect or a restart is written before
    /// this returns, data counters at least every <see cref="DataWriteInterval"/> bytes.
    /// An event for a channel that was never opened is refused (go-data-transfer's ChannelNotFoundError).
    /// </summary>
    Task<ChannelStep> ApplyAsync(ChannelInput input);

    /// <summary>Data counters are written at least this often (bytes moved since the last write): 8 MiB.</summary>
    public const long DataWriteInterval = 8L << 20;
}
