using Granary.Blobs.Client;
using Granary.Transfers.Channels;

namespace Granary.Grains.Transfers;

/// <summary>
/// A transfer channel's terms on the fill that receives its blobs (go-data-transfer's receiver):
/// pieces are asked only while the channel is Ongoing (not paused by either side, not ending),
/// each at most the room its data limit leaves, and every byte that became durable is counted on
/// the channel as verified bytes received — the count the data limit and the progress read.
/// </summary>
/// <param name="grain">The channel's grain on this side.</param>
/// <param name="known">The channel's state as last read, used if the grain answers with none.</param>
internal sealed class ChannelPacer(ITransferChannelGrain grain, ChannelState known) : IFetchPacer
{
    /// <inheritdoc/>
    public async ValueTask<long> NextPieceAsync(Func<Task> settle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settle);
        ChannelState state = await grain.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false) ?? known;
        if (state.Status != ChannelStatus.Ongoing)
        {
            return 0;
        }

        if (state.DataLimit is not null)
        {
            // Near a data limit the room must count what was received: no piece overlaps a commit.
            await settle().ConfigureAwait(false);
            state = await grain.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false) ?? state;
        }

        return state.DataLimit is { } limit ? limit - state.Received : long.MaxValue;
    }

    /// <inheritdoc/>
    public async ValueTask CommittedAsync(long bytes, CancellationToken cancellationToken) =>
        await grain.OnDataAsync(ChannelEvent.DataReceived, bytes).WaitAsync(cancellationToken).ConfigureAwait(false);
}
