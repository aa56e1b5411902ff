using Granary.Grains.Hosting;
using Granary.Transfers.Channels;

namespace Granary.Grains.Transfers;

/// <inheritdoc cref="ITransferChannelGrain"/>
public sealed class TransferChannelGrain(
    [PersistentState("channel", GrainStorage.Name)] IPersistentState<TransferChannelGrainState> state) : Grain, ITransferChannelGrain
{
    /// <summary>The channel as last applied (the stored state converted once per activation).</summary>
    private ChannelState? _channel;

    /// <summary>The counters as last written: data events write again once they are this far behind.</summary>
    private long _writtenBytes;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _channel = state.State.ToChannel();
        _writtenBytes = Moved(_channel);
        return base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task<ChannelState?> GetAsync() => Task.FromResult(_channel);

    /// <inheritdoc/>
    public async Task<ChannelState> OpenAsync(ChannelState initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        if (_channel is { } existing)
        {
            bool same = existing.Id == initial.Id && existing.Base == initial.Base && existing.Direction == initial.Direction
                && existing.Vouchers.Count > 0 && initial.Vouchers.Count > 0
                && existing.Vouchers[0].Type == initial.Vouchers[0].Type && existing.Vouchers[0].Body.Span.SequenceEqual(initial.Vouchers[0].Body.Span);
            return same ? existing : throw new InvalidOperationException($"Channel {initial.Id} exists with other terms (base, direction or voucher): a transfer id is used once.");
        }

        await WriteAsync(initial).ConfigureAwait(true);
        return initial;
    }

    /// <inheritdoc/>
    public async Task<ChannelStep> ApplyAsync(ChannelInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_channel is not { } channel)
        {
            throw new InvalidOperationException($"No channel {this.GetPrimaryKeyString()} was opened here (ChannelNotFoundError).");
        }

        ChannelStep step = ChannelStateMachine.Apply(channel, input);
        if (!step.Applied)
        {
            return step;
        }

        _channel = step.State;
        bool dataOnly = input.Event is ChannelEvent.DataSent or ChannelEvent.DataReceived or ChannelEvent.DataQueued && step.State.Status == channel.Status;
        if (!dataOnly || Moved(step.State) - _writtenBytes >= ITransferChannelGrain.DataWriteInterval)
        {
            await WriteAsync(step.State).ConfigureAwait(true);
        }

        return step;
    }

    /// <summary>Writes <paramref name="channel"/>; if the write fails the activation goes, so memory never runs ahead of storage.</summary>
    private async Task WriteAsync(ChannelState channel)
    {
        state.State.Set(channel);
        try
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _channel = channel;
        _writtenBytes = Moved(channel);
    }

    private static long Moved(ChannelState? channel) => channel is null ? 0 : channel.Sent + channel.Received + channel.Queued;
}
