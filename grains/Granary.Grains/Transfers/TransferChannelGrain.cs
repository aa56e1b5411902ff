using Granary.Blobs.Protocol;
using Granary.Grains.Hosting;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.Grains.Transfers;

/// <inheritdoc cref="ITransferChannelGrain"/>
public sealed class TransferChannelGrain(
    [PersistentState("channel", GrainStorage.Name)] IPersistentState<TransferChannelGrainState> state,
    TimeProvider time) : Grain, ITransferChannelGrain
{
    private const int HistoryLength = 512;

    private readonly LinkedList<ChannelHistoryEntry> _history = [];

    /// <summary>Completed (and replaced) by every new event: watchers wait on it.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The channel as last applied (the stored state converted once per activation).</summary>
    private ChannelState? _channel;

    /// <summary>The counters as last written: data events write again once they are this far behind.</summary>
    private long _writtenBytes;

    private long _sequence;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _channel = state.State.ToChannel();
        _writtenBytes = Moved(_channel);
        _sequence = state.State.Sequence;
        return base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ChannelState?> GetAsync() => Task.FromResult(_channel);

    /// <inheritdoc/>
    public Task<ChannelTerms?> GetTermsAsync() => Task.FromResult(_channel is null ? null : state.State.ToTerms());

    /// <inheritdoc/>
    public async Task<ChannelState> OpenAsync(ChannelState initial, ChannelTerms terms)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(terms);
        if (_channel is { } existing)
        {
            bool same = existing.Id == initial.Id && existing.Base == initial.Base && existing.Direction == initial.Direction
                && existing.Paths.SequenceEqual(initial.Paths, StringComparer.Ordinal)
                && existing.Vouchers.Count > 0 && initial.Vouchers.Count > 0
                && existing.Vouchers[0].Type == initial.Vouchers[0].Type && existing.Vouchers[0].Body.Span.SequenceEqual(initial.Vouchers[0].Body.Span);
            return same ? existing : throw new BlobGrainException(BlobStatus.BadRequest, $"Channel {initial.Id} exists with other terms (base, paths, direction or voucher): a transfer id is used once.");
        }

        state.State.SetTerms(terms);
        await WriteAsync(initial, ChannelEvent.Open).ConfigureAwait(true);
        return initial;
    }

    /// <inheritdoc/>
    public async Task<ChannelStep> ApplyAsync(ChannelInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ChannelState channel = Opened();
        ChannelStep step = ChannelStateMachine.Apply(channel, input);
        if (!step.Applied)
        {
            return step;
        }

        bool dataOnly = input.Event is ChannelEvent.DataSent or ChannelEvent.DataReceived or ChannelEvent.DataQueued && step.State.Status == channel.Status;
        if (!dataOnly || Moved(step.State) - _writtenBytes >= ITransferChannelGrain.DataWriteInterval)
        {
            await WriteAsync(step.State, input.Event).ConfigureAwait(true);
        }
        else
        {
            Record(step.State, input.Event);
        }

        return step;
    }

    /// <inheritdoc/>
    public async Task<ChannelState> OnVoucherResultAsync(VoucherResult result, long? dataLimit, bool paused)
    {
        ArgumentNullException.ThrowIfNull(result);
        ChannelState channel = Opened();
        var reply = new TransferVoucherResultMessage(channel.Id.TransferId, result) { DataLimit = dataLimit, Paused = paused };
        ChannelState after = ChannelProtocol.OnVoucherResult(channel, reply, time.GetUtcNow());
        await WriteAsync(after, ChannelEvent.NewVoucherResult).ConfigureAwait(true);
        return after;
    }

    /// <inheritdoc/>
    public async Task<ChannelState> OnNewVoucherAsync(Voucher voucher, VoucherResult result, long? dataLimit, bool forcePause)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        ArgumentNullException.ThrowIfNull(result);
        DateTimeOffset now = time.GetUtcNow();
        ChannelState after = Step(Opened(), new ChannelInput(ChannelEvent.NewVoucher, now) { Voucher = voucher });
        after = Step(after, new ChannelInput(ChannelEvent.NewVoucherResult, now) { VoucherResult = result });
        if (!result.Accepted)
        {
            after = Step(Step(after, new ChannelInput(ChannelEvent.Error, now) { Message = result.Message }), new ChannelInput(ChannelEvent.CleanupComplete, now));
        }
        else
        {
            after = after with { DataLimit = dataLimit };
            bool underLimit = dataLimit is not { } limit || Math.Max(after.Sent, after.Received) < limit;
            if (!forcePause && underLimit && after.Status is ChannelStatus.ResponderPaused or ChannelStatus.BothPaused)
            {
                after = Step(after, new ChannelInput(ChannelEvent.ResumeResponder, now)) with { Message = string.Empty };
            }
        }

        await WriteAsync(after, ChannelEvent.NewVoucherResult).ConfigureAwait(true);
        return after;
    }

    /// <inheritdoc/>
    public async Task<ChannelState> OnDataAsync(ChannelEvent data, long bytes)
    {
        ChannelState channel = Opened();
        if (channel.IsFinal)
        {
            return channel;
        }

        (ChannelState after, bool limitReached) = ChannelProtocol.OnData(channel, data, bytes, time.GetUtcNow());
        if (limitReached || after.Status != channel.Status || channel.IsDisconnected || Moved(after) - _writtenBytes >= ITransferChannelGrain.DataWriteInterval)
        {
            await WriteAsync(after, limitReached ? ChannelEvent.PauseResponder : data).ConfigureAwait(true);
        }
        else
        {
            Record(after, data);
        }

        return after;
    }

    /// <inheritdoc/>
    public async Task SetSizeAsync(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ChannelState channel = Opened();
        if (state.State.Size != size)
        {
            state.State.Size = size;
            await WriteAsync(channel, null).ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ChannelHistoryEntry>> WatchAsync(long after, TimeSpan wait)
    {
        Task changed = _changed.Task;
        List<ChannelHistoryEntry> found = [.. _history.Where(e => e.Sequence > after)];
        if (found.Count > 0 || _channel is null || wait <= TimeSpan.Zero)
        {
            return found;
        }

        await Task.WhenAny(changed, Task.Delay(wait < TimeSpan.FromSeconds(30) ? wait : TimeSpan.FromSeconds(30), time)).ConfigureAwait(true);
        return [.. _history.Where(e => e.Sequence > after)];
    }

    private static ChannelState Step(ChannelState channel, ChannelInput input)
    {
        ChannelStep step = ChannelStateMachine.Apply(channel, input);
        return step.Applied ? step.State : throw new TransferProtocolException(step.Refusal!);
    }

    private ChannelState Opened() =>
        _channel ?? throw new BlobGrainException(BlobStatus.NotFound, $"No channel {this.GetPrimaryKeyString()} was opened here (ChannelNotFoundError).");

    /// <summary>Writes <paramref name="channel"/>; if the write fails the activation goes, so memory never runs ahead of storage.</summary>
    private async Task WriteAsync(ChannelState channel, ChannelEvent? cause)
    {
        state.State.Set(channel);
        state.State.Sequence = _sequence + (cause is null ? 0 : 1);
        try
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _writtenBytes = Moved(channel);
        if (cause is { } happened)
        {
            Record(channel, happened);
        }
        else
        {
            _channel = channel;
        }
    }

    private void Record(ChannelState channel, ChannelEvent cause)
    {
        _channel = channel;
        _history.AddLast(new ChannelHistoryEntry(++_sequence, cause, channel));
        if (_history.Count > HistoryLength)
        {
            _history.RemoveFirst();
        }

        TaskCompletionSource changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private static long Moved(ChannelState? channel) => channel is null ? 0 : channel.Sent + channel.Received + channel.Queued;
}
