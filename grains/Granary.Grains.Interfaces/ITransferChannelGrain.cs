using Granary.Transfers.Channels;
using Orleans.Concurrency;

namespace Granary.Grains;

/// <summary>
/// One side of one transfer channel (key from <see cref="TransferChannelKeys"/>): the channel's
/// <see cref="ChannelState"/> and <see cref="ChannelTerms"/>, persisted in grain storage on every
/// status change, so a silo crash never loses a channel — the grain reactivates on another silo
/// with the state as last written. Events go through <see cref="ChannelStateMachine"/> and
/// <see cref="ChannelProtocol"/> inside the grain, one at a time, so concurrent events (data, a
/// pause, a voucher result) never overwrite each other; the grain adds persistence and history.
/// </summary>
public interface ITransferChannelGrain : IGrainWithStringKey
{
    /// <summary>The channel, or null if it was never opened.</summary>
    Task<ChannelState?> GetAsync();

    /// <summary>The channel's terms (size, the other side's silos, what a cancel keeps); null if never opened.</summary>
    Task<ChannelTerms?> GetTermsAsync();

    /// <summary>
    /// Stores a new channel (written before this returns). Opening it again with the same base,
    /// direction and first voucher returns the stored state (a retried open is harmless).
    /// </summary>
    /// <exception cref="BlobGrainException">400: a channel with this key exists with other terms.</exception>
    Task<ChannelState> OpenAsync(ChannelState initial, ChannelTerms terms);

    /// <summary>
    /// Applies one event; a status change, a voucher, a disconnect or a restart is written before
    /// this returns, data counters at least every <see cref="DataWriteInterval"/> bytes.
    /// An event for a channel that was never opened is refused (go-data-transfer's ChannelNotFoundError).
    /// </summary>
    /// <exception cref="BlobGrainException">404: no channel with this key was opened here.</exception>
    Task<ChannelStep> ApplyAsync(ChannelInput input);

    /// <summary>The initiator's side takes the responder's answer (<see cref="ChannelProtocol.OnVoucherResult"/>).</summary>
    /// <exception cref="Granary.Transfers.Messages.TransferProtocolException">The answer does not apply to the channel as it stands.</exception>
    Task<ChannelState> OnVoucherResultAsync(VoucherResult result, long? dataLimit, bool paused);

    /// <summary>
    /// The responder's side takes a new voucher and its validator's answer: accepted → the new data
    /// limit applies and a channel paused at its limit resumes (unless <paramref name="forcePause"/>);
    /// refused → Failed with the validator's message (go-data-transfer's revalidation).
    /// </summary>
    Task<ChannelState> OnNewVoucherAsync(Voucher voucher, VoucherResult result, long? dataLimit, bool forcePause);

    /// <summary>Counts data moved and pauses at the data limit (<see cref="ChannelProtocol.OnData"/>); returns the state after.</summary>
    Task<ChannelState> OnDataAsync(ChannelEvent data, long bytes);

    /// <summary>Sets the bytes the channel moves in all, once the receiver learned it.</summary>
    Task SetSizeAsync(long size);

    /// <summary>
    /// The events after <paramref name="after"/> (a sequence number; 0 for all that are kept), waiting
    /// up to <paramref name="wait"/> for one if there are none yet. The last 512 events are kept, in memory.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ChannelHistoryEntry>> WatchAsync(long after, TimeSpan wait);

    /// <summary>Data counters are written at least this often (bytes moved since the last write): 8 MiB.</summary>
    public const long DataWriteInterval = 8L << 20;
}
