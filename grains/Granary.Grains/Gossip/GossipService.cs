using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Grains.Hosting;
using Granary.Hashing;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Gossip;

/// <summary>
/// A silo's gossip for its clients: it joins a topic's swarm among the silos when the first client
/// subscribes or publishes through it (bootstrap peers from the topic's <see cref="IGossipTopicGrain"/>)
/// and leaves when the last one goes; every event of the swarm is copied to each local subscriber,
/// and a message published here is delivered to this silo's own subscribers too (a PlumTree node
/// does not deliver its own broadcasts).
/// </summary>
/// <remarks>
/// A publish through a silo that is not in the swarm joins it, waits up to
/// <see cref="NeighborWait"/> for a first neighbour if the grain named other silos, broadcasts, and
/// stays for <see cref="PublishLinger"/> so that a series of publishes reuses the membership.
/// Joins and leaves on one silo go one at a time (the grain call is inside the gate).
/// </remarks>
public sealed partial class GossipService(GossipNode node, IGrainFactory grains, GossipOptions options, ILogger<GossipService> logger) : IAsyncDisposable
{
    /// <summary>How long a silo stays in a swarm it joined only to publish: 30 s.</summary>
    public static readonly TimeSpan PublishLinger = TimeSpan.FromSeconds(30);

    /// <summary>How long a publish waits for a first neighbour after joining: 2 s.</summary>
    public static readonly TimeSpan NeighborWait = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<TopicId, Swarm> _swarms = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Message ids seen per topic, kept as long as the protocol keeps them, even after this silo left the swarm (a repeat within that time reaches no other silo).</summary>
    private readonly Dictionary<(TopicId Topic, Blake3Hash Id), long> _seen = [];
    private readonly Queue<(TopicId Topic, Blake3Hash Id, long At)> _seenOrder = new();

    /// <summary>The gossip node the swarms run on.</summary>
    public GossipNode Node => node;

    /// <summary>How many topics' swarms this silo is in now (for its clients, or lingering after a publish).</summary>
    /// <remarks>Read without the gate: a gauge may be a moment stale, never wrong for long.</remarks>
    public int JoinedTopics => _swarms.Count;

    /// <summary>Subscribes a client: joins the swarm if this silo is not in it yet.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="name">Its name, if the client gave one (recorded by the topic's grain).</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="ObjectDisposedException">The silo is stopping.</exception>
    public async Task<TopicSubscriber> SubscribeAsync(TopicId topic, string? name, CancellationToken cancellationToken)
    {
        Swarm swarm = await AcquireAsync(topic, name, cancellationToken).ConfigureAwait(false);
        int others;
        try
        {
            // The swarm as it is now, not as it was when this silo joined it for an earlier client.
            GossipTopicInfo info = await grains.GetGrain<IGossipTopicGrain>(topic.ToString()).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            others = info.Silos.Count(s => s.Node != node.Self.Node);
        }
        catch
        {
            await ReleaseAsync(swarm, subscriber: null).ConfigureAwait(false);
            throw;
        }

        var subscriber = new TopicSubscriber(s => ReleaseAsync(swarm, s), TopicEvent.Joined(others));
        foreach (SiloTicket neighbor in swarm.Subscription.Neighbors)
        {
            subscriber.Deliver(new TopicEvent(TopicEventKind.NeighborUp, ReadOnlyMemory<byte>.Empty, neighbor.Node, 0, DeliveryScope.Swarm, 0));
        }

        swarm.Add(subscriber);
        return subscriber;
    }

    /// <summary>Broadcasts <paramref name="content"/> on <paramref name="topic"/> and delivers it to this silo's own subscribers.</summary>
    /// <returns>False if an identical message went out on the topic within <see cref="GossipOptions.MessageIdRetention"/>: the swarm delivers it to no one, and neither does this silo.</returns>
    /// <exception cref="BlobProtocolException">413: larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    /// <exception cref="ObjectDisposedException">The silo is stopping.</exception>
    public async Task<bool> PublishAsync(TopicId topic, string? name, ReadOnlyMemory<byte> content, DeliveryScope scope, CancellationToken cancellationToken)
    {
        if (content.Length > options.MaxMessageSize)
        {
            throw new BlobProtocolException(BlobStatus.TooLarge, $"the message is {content.Length} bytes; a gossip message is at most {options.MaxMessageSize} bytes");
        }

        Swarm swarm = await AcquireAsync(topic, name, cancellationToken).ConfigureAwait(false);
        try
        {
            // A message's id is its content's hash: the swarm drops a repeat, so this silo's own
            // subscribers must not get it either, or they would see what the others never do.
            if (!Remember(topic, Blake3.Hash(content.Span)))
            {
                return false;
            }

            if (swarm.OtherSilosAtJoin > 0)
            {
                await swarm.WaitForNeighborAsync(NeighborWait, cancellationToken).ConfigureAwait(false);
            }

            await (scope == DeliveryScope.Swarm
                ? swarm.Subscription.BroadcastAsync(content, cancellationToken)
                : swarm.Subscription.BroadcastNeighborsAsync(content, cancellationToken)).ConfigureAwait(false);
            swarm.Deliver(new TopicEvent(TopicEventKind.Received, content.ToArray(), node.Self.Node, 0, scope, 0));
            ClusterMetrics.Gossiped("publish");
            return true;
        }
        finally
        {
            _ = LingerAsync(swarm);
        }
    }

    /// <summary>Every topic the cluster knows, oldest first, with the serving silos in each swarm.</summary>
    public async Task<IReadOnlyList<TopicReport>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> ids = await grains.GetGrain<IGossipTopicIndexGrain>(IGossipTopicIndexGrain.Key).ListAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var reports = new List<TopicReport>(ids.Count);
        foreach (string id in ids)
        {
            GossipTopicInfo info = await grains.GetGrain<IGossipTopicGrain>(id).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            reports.Add(new TopicReport(TopicId.FromText(id), info.Name, info.Created ?? DateTimeOffset.UnixEpoch, info.Silos));
        }

        return reports;
    }

    /// <summary>Leaves every swarm (the topics' grains are told) and ends every subscription.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_swarms.Values.Select(LeaveAsync)).ConfigureAwait(false);
            _swarms.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records a message id of <paramref name="topic"/>; false if it was seen within <see cref="GossipOptions.MessageIdRetention"/>.</summary>
    private bool Remember(TopicId topic, Blake3Hash id)
    {
        lock (_seen)
        {
            long now = Environment.TickCount64;
            while (_seenOrder.TryPeek(out var oldest) && now - oldest.At > options.MessageIdRetention.TotalMilliseconds)
            {
                _seenOrder.Dequeue();
                if (_seen.TryGetValue((oldest.Topic, oldest.Id), out long at) && at == oldest.At)
                {
                    _seen.Remove((oldest.Topic, oldest.Id));
                }
            }

            if (!_seen.TryAdd((topic, id), now))
            {
                return false;
            }

            _seenOrder.Enqueue((topic, id, now));
            return true;
        }
    }

    private async Task<Swarm> AcquireAsync(TopicId topic, string? name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_swarms.TryGetValue(topic, out Swarm? swarm))
            {
                swarm.Users++;
                return swarm;
            }

            GossipTopicInfo info = await grains.GetGrain<IGossipTopicGrain>(topic.ToString()).JoinAsync(node.Self, name).WaitAsync(cancellationToken).ConfigureAwait(false);
            swarm = new Swarm(topic, node.Subscribe(topic, info.Silos), info.Silos.Count, Remember) { Users = 1 };
            swarm.Pumping = Task.Run(() => swarm.PumpAsync(_stop.Token), CancellationToken.None);
            _swarms[topic] = swarm;
            Joined(logger, topic, info.Silos.Count);
            return swarm;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask ReleaseAsync(Swarm swarm, TopicSubscriber? subscriber)
    {
        if (subscriber is not null)
        {
            swarm.Remove(subscriber);
        }

        // Inside the gate, so a join that follows finds the topic left here and in its grain, not half of it.
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (--swarm.Users == 0 && _swarms.Remove(swarm.Topic))
            {
                await LeaveAsync(swarm).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task LingerAsync(Swarm swarm)
    {
        try
        {
            await Task.Delay(PublishLinger, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the whole service is stopping and leaves every swarm
        }

        await ReleaseAsync(swarm, subscriber: null).ConfigureAwait(false);
    }

    private async Task LeaveAsync(Swarm swarm)
    {
        await swarm.Subscription.DisposeAsync().ConfigureAwait(false);
        swarm.CompleteAll();
        try
        {
            await grains.GetGrain<IGossipTopicGrain>(swarm.Topic.ToString()).LeaveAsync(node.Self).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // The grain drops a silo that is gone anyway; a stale entry is never handed out.
            LeaveNotRecorded(logger, swarm.Topic, error.Message);
        }

        Left(logger, swarm.Topic);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gossip topic {Topic} joined ({Others} other silos in its swarm)")]
    private static partial void Joined(ILogger logger, TopicId topic, int others);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gossip topic {Topic} left")]
    private static partial void Left(ILogger logger, TopicId topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gossip topic {Topic}: the topic's grain did not record that this silo left: {Reason}")]
    private static partial void LeaveNotRecorded(ILogger logger, TopicId topic, string reason);

    /// <summary>This silo in one topic's swarm: the node's subscription and the local subscribers it feeds.</summary>
    private sealed class Swarm(TopicId topic, GossipSubscription subscription, int otherSilosAtJoin, Func<TopicId, Blake3Hash, bool> remember)
    {
        private readonly List<TopicSubscriber> _local = [];
        private readonly TaskCompletionSource _firstNeighbor = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TopicId Topic => topic;

        public GossipSubscription Subscription => subscription;

        public int OtherSilosAtJoin => otherSilosAtJoin;

        /// <summary>Clients and lingering publishes using it; guarded by the service's gate.</summary>
        public int Users { get; set; }

        public Task Pumping { get; set; } = Task.CompletedTask;

        public void Add(TopicSubscriber subscriber)
        {
            lock (_local)
            {
                _local.Add(subscriber);
            }
        }

        public void Remove(TopicSubscriber subscriber)
        {
            lock (_local)
            {
                _local.Remove(subscriber);
            }
        }

        public void Deliver(TopicEvent @event)
        {
            lock (_local)
            {
                foreach (TopicSubscriber subscriber in _local)
                {
                    subscriber.Deliver(@event);
                }
            }
        }

        public void CompleteAll()
        {
            lock (_local)
            {
                foreach (TopicSubscriber subscriber in _local)
                {
                    subscriber.Complete();
                }
            }
        }

        public async Task WaitForNeighborAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (Subscription.Neighbors.Count > 0)
            {
                return;
            }

            await Task.WhenAny(_firstNeighbor.Task, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        /// <summary>Copies the swarm's events to the local subscribers until the silo leaves the topic.</summary>
        public async Task PumpAsync(CancellationToken stop)
        {
            try
            {
                await foreach (GossipEvent<SiloTicket> e in Subscription.Events.ReadAllAsync(stop).ConfigureAwait(false))
                {
                    if (e is GossipEvent<SiloTicket>.Received received)
                    {
                        remember(topic, Blake3.Hash(received.Content.Span));
                        ClusterMetrics.Gossiped("receive");
                    }

                    TopicEvent? local = e switch
                    {
                        GossipEvent<SiloTicket>.Received r => new TopicEvent(TopicEventKind.Received, r.Content, r.DeliveredFrom.Node, r.Hops, r.Scope, 0),
                        GossipEvent<SiloTicket>.NeighborUp up => new TopicEvent(TopicEventKind.NeighborUp, ReadOnlyMemory<byte>.Empty, up.Peer.Node, 0, DeliveryScope.Swarm, 0),
                        GossipEvent<SiloTicket>.NeighborDown down => new TopicEvent(TopicEventKind.NeighborDown, ReadOnlyMemory<byte>.Empty, down.Peer.Node, 0, DeliveryScope.Swarm, 0),
                        _ => null,
                    };
                    if (e is GossipEvent<SiloTicket>.NeighborUp)
                    {
                        _firstNeighbor.TrySetResult();
                    }

                    if (local is not null)
                    {
                        Deliver(local);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The silo is stopping.
            }
        }
    }
}
