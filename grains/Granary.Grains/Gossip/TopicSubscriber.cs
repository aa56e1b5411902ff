using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Granary.Gossip.Topics;

namespace Granary.Grains.Gossip;

/// <summary>
/// One client's subscription through this silo (<see cref="GossipService.SubscribeAsync"/>): the
/// topic's events in order, starting with <see cref="TopicEventKind.Joined"/>. At most
/// <see cref="Capacity"/> wait; a client that reads more slowly loses the oldest and is told how
/// many with a <see cref="TopicEventKind.Lagged"/> event, so it never slows the swarm or other
/// subscribers. Disposing it unsubscribes (the silo leaves the swarm with its last user).
/// </summary>
public sealed class TopicSubscriber : IAsyncDisposable
{
    /// <summary>Events waiting for the client: 1024.</summary>
    public const int Capacity = 1024;

    private readonly Func<TopicSubscriber, ValueTask> _release;
    private readonly Channel<TopicEvent> _events;
    private long _dropped;
    private int _disposed;

    internal TopicSubscriber(Func<TopicSubscriber, ValueTask> release, TopicEvent joined)
    {
        _release = release;
        _events = Channel.CreateBounded<TopicEvent>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _events.Writer.TryWrite(joined);
    }

    /// <summary>The events until the subscription or the silo ends; a <see cref="TopicEventKind.Lagged"/> before the first event after a loss.</summary>
    public async IAsyncEnumerable<TopicEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long reported = 0;
        while (await _events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out TopicEvent? next))
            {
                long dropped = Interlocked.Read(ref _dropped);
                if (dropped > reported)
                {
                    yield return TopicEvent.Lagged(dropped - reported);
                    reported = dropped;
                }

                yield return next;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _events.Writer.TryComplete();
            await _release(this).ConfigureAwait(false);
        }
    }

    internal void Deliver(TopicEvent @event) => _events.Writer.TryWrite(@event);

    internal void Complete() => _events.Writer.TryComplete();
}
