using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Transport;

namespace Granary.Gossip.Tests;

/// <summary>
/// The Net layer over real QUIC on 127.0.0.1: ten nodes in this process, each its own endpoint and
/// router, join one topic; every broadcast reaches every other node; a node that dies is reported
/// NeighborDown by its neighbours and the rest still receive; garbage and oversized frames from a
/// raw connection are refused without disturbing anyone.
/// </summary>
public sealed class GossipNetTests : IAsyncLifetime
{
    private static readonly TopicId Topic = TopicId.FromName("granary-test/net");
    private readonly List<Node> _nodes = [];

    /// <summary>The swarm's own nodes: what the nodes dial, as a silo dials only its cluster's serving members.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SiloTicket, bool> _members = new();

    public async Task InitializeAsync()
    {
        for (int i = 0; i < 10; i++)
        {
            Node node = Node.Start(seed: i, dials: peer => _members.ContainsKey(peer));
            _members[node.Gossip.Self] = true;
            // Each joins through one or two earlier nodes, as a client given a few silos would.
            IReadOnlyList<SiloTicket> bootstrap = i == 0 ? [] : [_nodes[(i * 7) % i].Gossip.Self, _nodes[i - 1].Gossip.Self];
            node.Subscription = node.Gossip.Subscribe(Topic, [.. bootstrap.Distinct()]);
            _nodes.Add(node);
        }

        // Joined: every node has a neighbour.
        await Until(() => _nodes.All(n => n.Subscription!.Neighbors.Count > 0), "every node has a neighbour");
    }

    public async Task DisposeAsync()
    {
        // Bounded: a node that does not stop in time must not hang the whole test run.
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask())).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Every_broadcast_reaches_every_node_and_after_a_node_dies_the_rest_still_do()
    {
        for (int sender = 0; sender < 10; sender += 3)
        {
            await _nodes[sender].Subscription!.BroadcastAsync(Encoding.UTF8.GetBytes($"hello from {sender}"));
        }

        await Until(() => _nodes.All(n => n.Received.Count(m => m.StartsWith("hello", StringComparison.Ordinal)) >= (n.Index % 3 == 0 && n.Index < 10 ? 3 : 4)), "every broadcast everywhere");
        Assert.All(_nodes, n => Assert.Equal(n.Received.Distinct().Count(), n.Received.Count)); // each delivered once

        // Node 4 dies without a goodbye (its endpoint goes away): its neighbours see NeighborDown, the rest still hear each other.
        Node dead = _nodes[4];
        List<Node> neighbours = [.. _nodes.Where(n => n != dead && n.Subscription!.Neighbors.Any(p => p.Node == dead.Gossip.Self.Node))];
        Assert.NotEmpty(neighbours);
        await dead.KillAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await Until(() => neighbours.All(n => n.Down.Contains(dead.Gossip.Self.Node)), "NeighborDown for the dead node");

        List<Node> alive = [.. _nodes.Where(n => n != dead)];
        await alive[0].Subscription!.BroadcastAsync("after the death"u8.ToArray());
        await Until(() => alive.Skip(1).All(n => n.Received.Contains("after the death")), "the broadcast after the death everywhere");
    }

    [Fact]
    public async Task Garbage_unknown_topics_and_oversized_content_are_refused_and_the_swarm_carries_on()
    {
        Node target = _nodes[5];
        using var identity = NodeIdentity.CreateEphemeral();
        await using QuicEndpoint raw = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity });
        await using QuicConnection connection = await raw.ConnectAsync(target.Gossip.Self.Address, target.Gossip.Self.Node, GossipWire.Alpn);

        // An unknown topic is ignored; a frame with a bad type, and oversized content, end that stream only.
        await SendAsync(connection, GossipWire.Encode(TopicId.FromName("nobody here"), new JoinMessage<SiloTicket>()));
        await SendAsync(connection, new MetadataBlock([new("topic", Topic.Bytes.ToArray()), new("t", "explode")]));
        byte[] huge = new byte[5000];
        await SendAsync(connection, GossipWire.Encode(Topic, new GossipPayloadMessage<SiloTicket>(Granary.Hashing.Blake3.Hash(huge), huge, 0, DeliveryScope.Swarm)));
        await Task.Delay(300);

        Assert.DoesNotContain(target.Received, m => m.Length == 5000);
        await _nodes[0].Subscription!.BroadcastAsync("still fine"u8.ToArray());
        await Until(() => _nodes.Skip(1).All(n => n.Received.Contains("still fine")), "a broadcast after the garbage everywhere");
        Assert.Throws<ArgumentException>(() => _nodes[0].Subscription!.BroadcastAsync(huge).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_peer_flooding_joins_and_forward_joins_of_made_up_peers_leaves_the_views_bounded_and_every_topic_working()
    {
        // A second topic on two of the nodes, to see that it is not disturbed.
        TopicId other = TopicId.FromName("granary-test/net/other");
        await using GossipSubscription otherA = _nodes[0].Gossip.Subscribe(other, []);
        await using GossipSubscription otherB = _nodes[1].Gossip.Subscribe(other, [_nodes[0].Gossip.Self]);
        await Until(() => otherB.Neighbors.Count > 0, "the second topic's pair is linked");

        Node target = _nodes[7];
        using var identity = NodeIdentity.CreateEphemeral();
        await using QuicEndpoint raw = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity });
        await using QuicConnection connection = await raw.ConnectAsync(target.Gossip.Self.Address, target.Gossip.Self.Node, GossipWire.Alpn);
        await using (QuicStream stream = await connection.OpenUnidirectionalStreamAsync())
        {
            var rng = new Random(7);
            for (int i = 0; i < 2000; i++)
            {
                await GossipWire.Encode(Topic, new JoinMessage<SiloTicket>()).WriteAsync(stream, CancellationToken.None);
                // Peers nobody runs: ports on 127.0.0.1 where nothing listens, each with a fresh node id.
                using var made = NodeIdentity.CreateEphemeral();
                var ghost = new SiloTicket(made.Id, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1 + rng.Next(1000)));
                await GossipWire.Encode(Topic, new ForwardJoinMessage<SiloTicket>(ghost, GossipWire.MaxTimeToLive)).WriteAsync(stream, CancellationToken.None);
            }

            stream.CompleteWrites();
        }

        await Task.Delay(1000);
        Assert.All(_nodes, n => Assert.InRange(n.Subscription!.Neighbors.Count, 0, new GossipOptions().ActiveViewCapacity));
        Assert.All(_nodes, n => Assert.All(n.Subscription!.Neighbors, p => Assert.True(_members.ContainsKey(p), $"{p} is not one of the swarm's nodes")));
        await _nodes[2].Subscription!.BroadcastAsync("after the flood"u8.ToArray());
        await Until(() => _nodes.Where(n => n.Index != 2).All(n => n.Received.Contains("after the flood")), "the broadcast after the flood everywhere");
        await otherA.BroadcastAsync("other topic"u8.ToArray());
        await Until(() => otherB.Events.TryPeek(out _), "the second topic's broadcast");
    }

    private static async Task SendAsync(QuicConnection connection, MetadataBlock block)
    {
        await using QuicStream stream = await connection.OpenUnidirectionalStreamAsync();
        await block.WriteAsync(stream, CancellationToken.None);
        stream.CompleteWrites();
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"waited 20 s for: {what}");
            await Task.Delay(50);
        }
    }

    private sealed class Node : IAsyncDisposable
    {
        private readonly ProtocolRouter _router;
        private readonly NodeIdentity _identity;
        private readonly Task _reading;
        private bool _disposed;

        private Node(int index, NodeIdentity identity, ProtocolRouter router, GossipNode gossip)
        {
            Index = index;
            _identity = identity;
            _router = router;
            Gossip = gossip;
            _reading = Task.Run(async () =>
            {
                while (Subscription is null)
                {
                    await Task.Delay(10);
                }

                await foreach (GossipEvent<SiloTicket> e in Subscription.Events.ReadAllAsync())
                {
                    switch (e)
                    {
                        case GossipEvent<SiloTicket>.Received r:
                            lock (Received)
                            {
                                Received.Add(Encoding.UTF8.GetString(r.Content.Span));
                            }

                            break;
                        case GossipEvent<SiloTicket>.NeighborDown d:
                            lock (Down)
                            {
                                Down.Add(d.Peer.Node);
                            }

                            break;
                    }
                }
            });
        }

        public int Index { get; }

        public GossipNode Gossip { get; }

        public GossipSubscription? Subscription { get; set; }

        public List<string> Received { get; } = [];

        public List<NodeId> Down { get; } = [];

        public static Node Start(int seed, Func<SiloTicket, bool> dials)
        {
            NodeIdentity identity = NodeIdentity.CreateEphemeral();
            ProtocolRouter router = ProtocolRouter.Bind(new QuicEndpointOptions { Identity = identity, ApplicationProtocols = [GossipWire.Alpn] }, [GossipWire.Alpn]);
            var gossip = new GossipNode(router.Endpoint, seed: seed, dials: dials);
            router.Serve(new Dictionary<string, IProtocolHandler> { [GossipWire.Alpn] = gossip });
            return new Node(seed, identity, router, gossip);
        }

        /// <summary>Dies abruptly: the endpoint goes away first, so no DISCONNECT gets out; then the node stops, as a dead process would.</summary>
        public async Task KillAsync()
        {
            _disposed = true;
            await _router.ShutdownAsync(TimeSpan.FromSeconds(2));
            await _router.DisposeAsync();
            await Gossip.DisposeAsync();
            _identity.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Gossip.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            await _router.ShutdownAsync(TimeSpan.FromSeconds(5)).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            await _router.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            _identity.Dispose();
        }
    }
}
