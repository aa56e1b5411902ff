using System.Threading.Channels;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;

namespace Granary.Gossip.Net;

/// <summary>
/// One topic joined on a <see cref="GossipNode"/> (iroh-gossip's <c>GossipTopic</c>): its events
/// in order, and broadcasts. Disposing it leaves the topic (the neighbours are told).
/// </summary>
public sealed class GossipSubscription : IAsyncDisposable
{
    private readonly GossipNode _node;
    private readonly Channel<GossipEvent<SiloTicket>> _events;
    private long _lagged;

    internal GossipSubscription(GossipNode node, TopicId topic, int capacity)
    {
        _node = node;
        Topic = topic;
        _events = Channel.CreateBounded<GossipEvent<SiloTicket>>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false },
            _ => Interlocked.Increment(ref _lagged));
    }

    /// <summary>The topic.</summary>
    public TopicId Topic { get; }

    /// <summary>
    /// NeighborUp, NeighborDown and Received, in the order they happened. At most
    /// <see cref="GossipNode.EventQueueCapacity"/> wait; a reader that falls further behind loses
    /// the oldest (counted in <see cref="Lagged"/>), so a slow reader never slows the swarm.
    /// </summary>
    public ChannelReader<GossipEvent<SiloTicket>> Events => _events.Reader;

    /// <summary>Events dropped because the reader fell behind.</summary>
    public long Lagged => Interlocked.Read(ref _lagged);

    /// <summary>This node's direct neighbours in the topic now.</summary>
    public IReadOnlyList<SiloTicket> Neighbors => _node.NeighborsOf(Topic);

    /// <summary>Broadcasts <paramref name="content"/> to the whole swarm (queued; returns at once).</summary>
    /// <exception cref="ArgumentException">Larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    public Task BroadcastAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _node.Input(Topic, new InEvent<SiloTicket>.Broadcast(content, DeliveryScope.Swarm));
        return Task.CompletedTask;
    }

    /// <summary>Sends <paramref name="content"/> to the direct neighbours only; they do not forward it.</summary>
    /// <exception cref="ArgumentException">Larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    public Task BroadcastNeighborsAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _node.Input(Topic, new InEvent<SiloTicket>.Broadcast(content, DeliveryScope.Neighbors));
        return Task.CompletedTask;
    }

    /// <summary>Leaves the topic: the neighbours are told, <see cref="Events"/> completes.</summary>
    public ValueTask DisposeAsync()
    {
        _node.Input(Topic, new InEvent<SiloTicket>.Quit());
        return ValueTask.CompletedTask;
    }

    internal void Publish(GossipEvent<SiloTicket> @event) => _events.Writer.TryWrite(@event);

    internal void Complete() => _events.Writer.TryComplete();
}
