using System.Diagnostics;
using System.Threading.Channels;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gossip.Net;

/// <summary>
/// Gossip on a QUIC endpoint (iroh-gossip's <c>net</c> layer): the <see cref="GossipWire.Alpn"/>
/// handler of a <see cref="ProtocolRouter"/>, and the driver of one <see cref="TopicState{TPeer}"/>
/// per subscribed topic. It feeds them messages, timers and broken links, and carries out what
/// they ask. Peers are <see cref="SiloTicket"/>s (the node id the QUIC handshake proved, and the
/// address it listens and sends from).
/// </summary>
/// <remarks>
/// Each direction of a pair of neighbours is its own connection with one unidirectional stream of
/// frames: simple to reason about, at the cost of two connections per pair (iroh-gossip shares
/// one). Each peer has a bounded send queue (<see cref="SendQueueCapacity"/>); a peer whose queue
/// is full is dropped as failed, so one slow peer never holds up the others. A connection that
/// closes while this node still wants it is a failed link (<see cref="InEvent{TPeer}.PeerDisconnected"/>).
/// All state changes happen under one lock, in the order inputs arrive.
/// </remarks>
public sealed partial class GossipNode : IProtocolHandler, IAsyncDisposable
{
    /// <summary>Messages waiting for one peer before it is dropped as too slow: 256.</summary>
    public const int SendQueueCapacity = 256;

    /// <summary>Events waiting for a subscription's reader before the oldest are dropped: 1024.</summary>
    public const int EventQueueCapacity = 1024;

    /// <summary>The application error code a refused connection is closed with: 403.</summary>
    public const long RefusedCode = 403;

    /// <summary>The longest wait before dialing a peer again after links to it failed in a row: 60 s (from 0.5 s, doubling).</summary>
    public static readonly TimeSpan MaxRedialDelay = TimeSpan.FromSeconds(60);

    /// <summary>How long disposing waits for queued frames to reach the neighbours: 2 s.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly QuicEndpoint _endpoint;
    private readonly GossipOptions _options;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicId, (TopicState<SiloTicket> State, GossipSubscription Subscription)> _topics = [];
    private readonly Dictionary<SiloTicket, Outbox> _outboxes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly Func<NodeId, bool> _accepts;
    private readonly Func<SiloTicket, bool> _dials;

    /// <summary>Per peer: links that failed in a row and when the last did (Stopwatch ms), under <see cref="_gate"/>.</summary>
    private readonly Dictionary<SiloTicket, (int Failures, long At)> _failures = [];

    /// <summary>Per refused node: when its refusal was last logged (Stopwatch ms), under <see cref="_gate"/>.</summary>
    private readonly Dictionary<NodeId, long> _refusalsLogged = [];

    /// <summary>A gossip node on <paramref name="endpoint"/>, which must accept <see cref="GossipWire.Alpn"/> through a router that hands its connections to this node.</summary>
    /// <param name="endpoint">The QUIC endpoint (its node id and address are this node's identity).</param>
    /// <param name="options">Protocol parameters; default: iroh-gossip's.</param>
    /// <param name="logger">Where refused frames and dropped peers are logged.</param>
    /// <param name="seed">Seed of the protocol's random choices; default: a random one.</param>
    /// <param name="accepts">
    /// Whose connections this node takes (by the node id the handshake proved); any other is
    /// closed at once, before a frame is read. Default: everyone's. A silo takes only its
    /// cluster's members: gossip topics are the cluster's, not the internet's.
    /// </param>
    /// <param name="dials">
    /// Which peers this node links to: a send to any other fails at once (the peer is reported
    /// failed), and tickets of others are dropped from forward-joins and shuffles before the
    /// protocol sees them, so a dead or foreign peer never enters the views. Default: every peer.
    /// A silo dials only serving members at the address they serve on.
    /// </param>
    /// <exception cref="ArgumentException">An option out of range.</exception>
    public GossipNode(QuicEndpoint endpoint, GossipOptions? options = null, ILogger? logger = null, int? seed = null, Func<NodeId, bool>? accepts = null, Func<SiloTicket, bool>? dials = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint;
        _options = options ?? new GossipOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _random = new Random(seed ?? Random.Shared.Next());
        _accepts = accepts ?? (_ => true);
        _dials = dials ?? (_ => true);
    }

    /// <summary>This node as its peers know it.</summary>
    public SiloTicket Self => new(_endpoint.NodeId, _endpoint.LocalEndPoint);

    /// <summary>Joins <paramref name="topic"/> through <paramref name="bootstrap"/> (none: start the swarm, others join through this node).</summary>
    /// <exception cref="InvalidOperationException">This node already subscribed to the topic.</exception>
    public GossipSubscription Subscribe(TopicId topic, IReadOnlyList<SiloTicket> bootstrap)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        GossipSubscription subscription;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_topics.ContainsKey(topic))
            {
                throw new InvalidOperationException($"This node is already subscribed to topic {topic}; use that subscription.");
            }

            subscription = new GossipSubscription(this, topic, EventQueueCapacity);
            _topics[topic] = (new TopicState<SiloTicket>(Self, _options, new Random(_random.Next())), subscription);
        }

        Input(topic, new InEvent<SiloTicket>.Join(bootstrap));
        return subscription;
    }

    /// <inheritdoc/>
    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var from = new SiloTicket(connection.RemoteNodeId, connection.RemoteEndPoint);
        if (!_accepts(from.Node))
        {
            // A stranger may knock hundreds of times a second: closed each time, logged once a minute.
            if (ShouldLogRefusal(from.Node))
            {
                Refused(_logger, from);
            }

            connection.Close(RefusedCode, "gossip is for this cluster's members only");
            return;
        }

        var readers = new List<Task>();
        while (!shutdown.IsCancellationRequested)
        {
            QuicStream stream;
            try
            {
                stream = await connection.AcceptUnidirectionalStreamAsync(shutdown).ConfigureAwait(false);
            }
            catch (Exception error) when (error is QuicException or OperationCanceledException)
            {
                break;
            }

            readers.RemoveAll(t => t.IsCompleted);
            readers.Add(ReadAsync(from, stream, shutdown));
        }

        await Task.WhenAll(readers).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves every topic and closes every link after what is queued on it has been written and
    /// acknowledged by the peer (up to <see cref="CloseGrace"/> in all). Call it before the QUIC
    /// endpoint closes: closing the endpoint first drops frames still in flight (a silo's last
    /// words, such as its silo-stopping event, were lost that way). A second call does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (TopicId topic in Topics())
        {
            Input(topic, new InEvent<SiloTicket>.Quit());
        }

        Outbox[] outboxes;
        lock (_gate)
        {
            outboxes = [.. _outboxes.Values];
            _outboxes.Clear();
        }

        foreach (Outbox outbox in outboxes)
        {
            outbox.Close();
        }

        // Let the last messages and the goodbyes (DISCONNECT) reach the neighbours, briefly.
        await Task.WhenAny(Task.WhenAll(outboxes.Select(o => o.Running)), Task.Delay(CloseGrace)).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>The neighbours of this node in <paramref name="topic"/> (empty if not subscribed).</summary>
    internal IReadOnlyList<SiloTicket> NeighborsOf(TopicId topic)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var t) ? [.. t.State.ActiveView] : [];
        }
    }

    /// <summary>Hands <paramref name="input"/> to the topic's state machine and carries out its outputs.</summary>
    /// <exception cref="ArgumentException">A broadcast larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    internal void Input(TopicId topic, InEvent<SiloTicket> input)
    {
        HashSet<SiloTicket> failed = [];
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                return; // not (or no longer) subscribed: a late message or timer
            }

            foreach (OutEvent<SiloTicket> output in entry.State.Handle(input, _clock.Elapsed))
            {
                switch (output)
                {
                    case OutEvent<SiloTicket>.SendMessage send when !Enqueue(send.To, GossipWire.Encode(topic, send.Message)):
                        failed.Add(send.To);
                        break;
                    case OutEvent<SiloTicket>.EmitEvent emit:
                        if (emit.Event is GossipEvent<SiloTicket>.NeighborUp up)
                        {
                            // Links are one-way: a neighbour that joined us may never have been sent
                            // anything, and only our own link to it notices when it dies.
                            EnsureOutbox(up.Peer);
                        }

                        entry.Subscription.Publish(emit.Event);
                        break;
                    case OutEvent<SiloTicket>.ScheduleTimer timer:
                        _ = FireLaterAsync(topic, timer.Delay, timer.Timer);
                        break;
                    case OutEvent<SiloTicket>.DisconnectPeer disconnect when !_topics.Values.Any(t => t.State.ActiveView.Contains(disconnect.Peer)):
                        if (_outboxes.Remove(disconnect.Peer, out Outbox? unused))
                        {
                            unused.Close(); // after what is queued (a DISCONNECT) is sent
                        }

                        break;
                }
            }

            if (entry.State.HasQuit)
            {
                _topics.Remove(topic);
                entry.Subscription.Complete();
            }
        }

        foreach (SiloTicket peer in failed)
        {
            OnPeerFailed(peer, outbox: null, "its send queue is full");
        }
    }

    /// <summary>Queues a frame for <paramref name="peer"/>, connecting if needed; false if its queue is full.</summary>
    private bool Enqueue(SiloTicket peer, MetadataBlock block) => EnsureOutbox(peer).TryQueue(block);

    /// <summary>The peer's outgoing link, connecting it if there is none.</summary>
    private Outbox EnsureOutbox(SiloTicket peer)
    {
        if (!_outboxes.TryGetValue(peer, out Outbox? outbox))
        {
            outbox = new Outbox(this, peer);
            _outboxes[peer] = outbox;
            outbox.Start();
        }

        return outbox;
    }

    /// <summary>A link failed: the peer's queue goes, and every topic hears it. Logged for the first three failures in a row, then quietly (debug).</summary>
    private void OnPeerFailed(SiloTicket peer, Outbox? outbox, string reason)
    {
        int failures;
        lock (_gate)
        {
            if (_failures.Count >= 4096 && !_failures.ContainsKey(peer))
            {
                _failures.Clear(); // made-up peers must not grow it without bound; forgetting only shortens waits
            }

            failures = _failures.TryGetValue(peer, out var before) ? before.Failures + 1 : 1;
            _failures[peer] = (failures, _clock.ElapsedMilliseconds);

            if (_outboxes.TryGetValue(peer, out Outbox? current) && (outbox is null || current == outbox))
            {
                _outboxes.Remove(peer);
                current.Close();
            }
            else if (outbox is not null)
            {
                return; // an outbox already replaced or closed on purpose
            }
        }

        if (failures <= 3)
        {
            PeerDropped(_logger, peer, reason);
        }
        else
        {
            PeerDroppedAgain(_logger, peer, failures, reason);
        }

        foreach (TopicId topic in Topics())
        {
            Input(topic, new InEvent<SiloTicket>.PeerDisconnected(peer));
        }
    }

    /// <summary>The message without the tickets of peers this node does not dial; null if nothing is left of it.</summary>
    private GossipMessage<SiloTicket>? Admit(GossipMessage<SiloTicket> message) => message switch
    {
        ForwardJoinMessage<SiloTicket> forward => _dials(forward.Peer) ? forward : null,
        ShuffleMessage<SiloTicket> shuffle => _dials(shuffle.Origin) ? shuffle with { Peers = [.. shuffle.Peers.Where(_dials)] } : null,
        ShuffleReplyMessage<SiloTicket> reply => reply with { Peers = [.. reply.Peers.Where(_dials)] },
        _ => message,
    };

    /// <summary>
    /// How long to wait before dialing <paramref name="peer"/>: nothing if its last link did not
    /// fail, else 0.5 s doubling per failure in a row up to <see cref="MaxRedialDelay"/>, counted
    /// from that failure. Without it a peer that cannot be dialed fails at once, the protocol
    /// repairs at once by dialing it again, and the loop spins (an attack measured millions of
    /// turns a minute, and the silo was declared dead).
    /// </summary>
    private TimeSpan RedialDelay(SiloTicket peer)
    {
        lock (_gate)
        {
            if (!_failures.TryGetValue(peer, out var failed))
            {
                return TimeSpan.Zero;
            }

            double wait = Math.Min(MaxRedialDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failed.Failures - 1, 16)));
            return TimeSpan.FromMilliseconds(Math.Max(0, wait - (_clock.ElapsedMilliseconds - failed.At)));
        }
    }

    private void Connected(SiloTicket peer)
    {
        lock (_gate)
        {
            _failures.Remove(peer);
        }
    }

    private bool ShouldLogRefusal(NodeId node)
    {
        lock (_gate)
        {
            long now = _clock.ElapsedMilliseconds;
            if (_refusalsLogged.TryGetValue(node, out long at) && now - at < 60_000)
            {
                return false;
            }

            if (_refusalsLogged.Count >= 4096)
            {
                _refusalsLogged.Clear();
            }

            _refusalsLogged[node] = now;
            return true;
        }
    }

    private TopicId[] Topics()
    {
        lock (_gate)
        {
            return [.. _topics.Keys];
        }
    }

    private async Task FireLaterAsync(TopicId topic, TimeSpan delay, ProtoTimer timer)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        Input(topic, new InEvent<SiloTicket>.TimerExpired(timer));
    }

    private async Task ReadAsync(SiloTicket from, QuicStream stream, CancellationToken shutdown)
    {
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                // Buffered: a frame's length and body would otherwise be two reads into the native library.
                var buffered = new BufferedStream(stream, 64 * 1024);
                while (await MetadataBlock.ReadAsync(buffered, shutdown).ConfigureAwait(false) is { } block)
                {
                    (TopicId topic, GossipMessage<SiloTicket> message) = GossipWire.Decode(block, _options.MaxMessageSize);

                    // A node speaks gossip only with peers it dials: a join from any other would put
                    // it in the active view until the link to it failed (a flood test caught one there).
                    if (_dials(from) && Admit(message) is { } admitted)
                    {
                        Input(topic, new InEvent<SiloTicket>.RecvMessage(from, admitted));
                    }
                }
            }
            catch (BlobProtocolException garbage)
            {
                // A frame that breaks the protocol: stop reading this peer's stream; other peers and topics go on.
                GarbageFrom(_logger, from, garbage.Message);
                stream.Abort(QuicAbortDirection.Read, 1);
            }
            catch (Exception error) when (error is QuicException or OperationCanceledException or IOException)
            {
                // The link ended; the sending side's failure, if any, is noticed where it sends.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gossip from {Peer} refused: {Reason}")]
    private static partial void GarbageFrom(ILogger logger, SiloTicket peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gossip connection from {Peer} refused: not a member of this cluster")]
    private static partial void Refused(ILogger logger, SiloTicket peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gossip peer {Peer} dropped: {Reason}")]
    private static partial void PeerDropped(ILogger logger, SiloTicket peer, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gossip peer {Peer} dropped again ({Failures} in a row): {Reason}")]
    private static partial void PeerDroppedAgain(ILogger logger, SiloTicket peer, int failures, string reason);

    /// <summary>One peer's outgoing link: a bounded queue and the task that connects and writes it.</summary>
    private sealed class Outbox(GossipNode node, SiloTicket peer)
    {
        /// <summary>Most bytes of queued frames written at once: 64 KiB.</summary>
        private const int BatchBytes = 64 * 1024;

        private readonly Channel<MetadataBlock> _queue = Channel.CreateBounded<MetadataBlock>(new BoundedChannelOptions(SendQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        private volatile bool _closing;

        public Task Running { get; private set; } = Task.CompletedTask;

        public void Start() => Running = Task.Run(RunAsync);

        public bool TryQueue(MetadataBlock block) => _queue.Writer.TryWrite(block);

        /// <summary>Closes on purpose: what is queued is still sent, then the link closes without counting as a failure.</summary>
        public void Close()
        {
            _closing = true;
            _queue.Writer.TryComplete();
        }

        private async Task RunAsync()
        {
            CancellationToken stop = node._stop.Token;
            try
            {
                // A peer whose links just failed waits before it is dialed (or refused) again.
                if (node.RedialDelay(peer) is { } wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }

                if (!node._dials(peer))
                {
                    Failed("it is not a serving member of the cluster (left, dead, or another address)");
                    return;
                }

                QuicConnection connection = await node._endpoint.ConnectAsync(peer.Address, peer.Node, GossipWire.Alpn, stop).ConfigureAwait(false);
                node.Connected(peer);
                await using (connection.ConfigureAwait(false))
                {
                    _ = connection.Closed.ContinueWith(_ => Failed("the connection closed"), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                    QuicStream stream = await connection.OpenUnidirectionalStreamAsync(stop).ConfigureAwait(false);
                    await using (stream.ConfigureAwait(false))
                    {
                        // Whatever is queued goes out in one write: each write crosses into the
                        // native QUIC library, and at hundreds of messages a second per link the
                        // crossings, not the bytes, were the cost (bench/RESULTS.md, gossip).
                        var batch = new MemoryStream();
                        while (await _queue.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
                        {
                            batch.SetLength(0);
                            while (batch.Length < BatchBytes && _queue.Reader.TryRead(out MetadataBlock? block))
                            {
                                byte[] frame = block.ToFrame();
                                batch.Write(frame, 0, frame.Length);
                            }

                            await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), stop).ConfigureAwait(false);
                        }

                        stream.CompleteWrites();
                        await stream.WritesClosed.WaitAsync(TimeSpan.FromSeconds(2), stop).ConfigureAwait(false);
                    }

                    _closing = true;
                    connection.Close(ProtocolRouter.NoErrorCode, "gossip link closed");
                }
            }
            catch (Exception error) when (error is QuicException or OperationCanceledException or IOException or TimeoutException or ObjectDisposedException)
            {
                Failed(error.Message);
            }
        }

        private void Failed(string reason)
        {
            if (_closing || node._stop.IsCancellationRequested)
            {
                return;
            }

            _closing = true;
            node.OnPeerFailed(peer, this, reason);
        }
    }
}
