using Granary.Gossip.Proto;
using Granary.Hashing;

namespace Granary.Gossip.Sim;

/// <summary>
/// A deterministic discrete-event simulator over many <see cref="TopicState{TPeer}"/> nodes of
/// one topic (iroh-gossip's <c>proto::sim</c>): simulated time, a latency per message, losses,
/// crashes and joins at chosen times, and per-broadcast metrics (<see cref="BroadcastReport"/>).
/// Links are FIFO, as a QUIC connection is. Everything random comes from the seed, so the same
/// options and calls give the same reports.
/// </summary>
public sealed class Simulator
{
    private readonly SimulatorOptions _options;
    private readonly Random _random;
    private readonly TopicState<int>[] _nodes;
    private readonly bool[] _crashed;
    private readonly bool[] _joined;
    private readonly PriorityQueue<(int Node, InEvent<int> Input), (TimeSpan At, long Seq)> _queue = new();
    private readonly Dictionary<(int From, int To), TimeSpan> _linkClear = [];
    private readonly HashSet<(int Node, int Peer)> _failurePending = [];
    private readonly Dictionary<Blake3Hash, Tracking> _broadcasts = [];
    private long _seq;

    /// <summary>A swarm of <see cref="SimulatorOptions.Nodes"/> nodes, none joined yet, at time 0.</summary>
    /// <exception cref="ArgumentException">An option out of range.</exception>
    public Simulator(SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
        _nodes = new TopicState<int>[options.Nodes];
        for (int i = 0; i < options.Nodes; i++)
        {
            _nodes[i] = new TopicState<int>(i, options.Gossip, new Random(unchecked((options.Seed * 1_000_003) + i)) /* not HashCode: it is randomized per process */);
        }

        _crashed = new bool[options.Nodes];
        _joined = new bool[options.Nodes];
    }

    /// <summary>Simulated time now.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>Events processed so far (messages, timers, failures, commands).</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>The nodes, for inspection (views, tree).</summary>
    public IReadOnlyList<TopicState<int>> Nodes => _nodes;

    /// <summary>Nodes alive (joined or not).</summary>
    public IEnumerable<int> Alive => Enumerable.Range(0, _nodes.Length).Where(i => !_crashed[i]);

    /// <summary>
    /// Joins every node, one every <paramref name="spacing"/> from now, node i through up to
    /// <paramref name="bootstrap"/> random live nodes among those before it (node 0 starts the swarm alone).
    /// </summary>
    public void JoinAll(TimeSpan spacing, int bootstrap = 3)
    {
        for (int i = 0; i < _nodes.Length; i++)
        {
            List<int> earlier = [.. Enumerable.Range(0, i).Where(j => !_crashed[j])];
            List<int> via = [];
            while (via.Count < Math.Min(bootstrap, earlier.Count))
            {
                int pick = earlier[_random.Next(earlier.Count)];
                if (!via.Contains(pick))
                {
                    via.Add(pick);
                }
            }

            JoinAt(Now + (spacing * i), i, via);
        }
    }

    /// <summary>Node <paramref name="node"/> joins through <paramref name="bootstrap"/> at <paramref name="at"/>.</summary>
    public void JoinAt(TimeSpan at, int node, IReadOnlyList<int> bootstrap)
    {
        _joined[node] = true;
        Enqueue(at, node, new InEvent<int>.Join(bootstrap));
    }

    /// <summary>Crashes <paramref name="nodes"/> now: they stop, and each neighbour notices after <see cref="SimulatorOptions.FailureDetection"/>.</summary>
    public void Crash(IEnumerable<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        foreach (int node in nodes)
        {
            _crashed[node] = true;
            for (int other = 0; other < _nodes.Length; other++)
            {
                if (!_crashed[other] && _nodes[other].ActiveView.Contains(node))
                {
                    NoticeFailure(other, node, _options.FailureDetection);
                }
            }
        }
    }

    /// <summary>A random <paramref name="fraction"/> of the live nodes, never <paramref name="spare"/>.</summary>
    public IReadOnlyList<int> PickRandom(double fraction, int spare)
    {
        List<int> alive = [.. Alive.Where(n => n != spare)];
        for (int i = alive.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (alive[i], alive[j]) = (alive[j], alive[i]);
        }

        return alive.GetRange(0, (int)Math.Round(alive.Count * fraction));
    }

    /// <summary>Runs the events due until <see cref="Now"/> + <paramref name="duration"/>.</summary>
    public void RunFor(TimeSpan duration)
    {
        TimeSpan until = Now + duration;
        while (_queue.TryPeek(out _, out (TimeSpan At, long Seq) key) && key.At <= until)
        {
            (int node, InEvent<int> input) = _queue.Dequeue();
            Now = key.At;
            Process(node, input);
        }

        Now = until;
    }

    /// <summary>
    /// Node <paramref name="sender"/> broadcasts <paramref name="content"/> to the swarm; the
    /// simulation runs for <paramref name="window"/>, and the broadcast's report is returned.
    /// </summary>
    public BroadcastReport Broadcast(int sender, ReadOnlyMemory<byte> content, TimeSpan window)
    {
        Blake3Hash id = Blake3.Hash(content.Span);
        List<int> expected = [.. Enumerable.Range(0, _nodes.Length).Where(n => n != sender && _joined[n] && !_crashed[n])];
        var tracking = new Tracking(Now);
        _broadcasts[id] = tracking;
        Enqueue(Now, sender, new InEvent<int>.Broadcast(content, DeliveryScope.Swarm));
        RunFor(window);
        List<int> missed = [.. expected.Where(n => !_crashed[n] && !tracking.Deliveries.ContainsKey(n))];
        int delivered = expected.Count(n => tracking.Deliveries.ContainsKey(n));
        TimeSpan last = tracking.Deliveries.Count == 0 ? TimeSpan.Zero : tracking.Deliveries.Values.Max(d => d.At) - tracking.SentAt;
        int ldh = tracking.Deliveries.Count == 0 ? 0 : tracking.Deliveries.Values.Max(d => d.Hops);
        return new BroadcastReport(sender, expected.Count, delivered, tracking.PayloadMessages, ldh, last, missed);
    }

    private void Process(int node, InEvent<int> input)
    {
        if (_crashed[node])
        {
            return;
        }

        EventsProcessed++;
        if (input is InEvent<int>.PeerDisconnected failed)
        {
            _failurePending.Remove((node, failed.Peer));
        }

        if (input is InEvent<int>.RecvMessage { Message: GossipPayloadMessage<int> payload } && _broadcasts.TryGetValue(payload.Id, out Tracking? counted))
        {
            counted.PayloadMessages++;
        }

        foreach (OutEvent<int> output in _nodes[node].Handle(input, Now))
        {
            switch (output)
            {
                case OutEvent<int>.SendMessage send:
                    Send(node, send.To, send.Message);
                    break;
                case OutEvent<int>.ScheduleTimer timer:
                    Enqueue(Now + timer.Delay, node, new InEvent<int>.TimerExpired(timer.Timer));
                    break;
                case OutEvent<int>.EmitEvent { Event: GossipEvent<int>.NeighborUp up } when _crashed[up.Peer]:
                    // A message the peer sent before it crashed made it a neighbour: its link times out.
                    NoticeFailure(node, up.Peer, _options.FailureDetection);
                    break;
                case OutEvent<int>.EmitEvent { Event: GossipEvent<int>.Received received }:
                    if (_broadcasts.TryGetValue(Blake3.Hash(received.Content.Span), out Tracking? tracking))
                    {
                        tracking.Deliveries.TryAdd(node, (Now, received.Hops));
                    }

                    break;
            }
        }
    }

    private void Send(int from, int to, GossipMessage<int> message)
    {
        TimeSpan latency = _options.Latency.Sample(_random);
        if (_crashed[to])
        {
            // The connection attempt (or the open link) fails: the sender learns after a round trip.
            NoticeFailure(from, to, latency * 2);
            return;
        }

        if (_options.LossRate > 0 && _random.NextDouble() < _options.LossRate)
        {
            return;
        }

        // FIFO per link: a message never overtakes an earlier one on the same link.
        TimeSpan at = Now + latency;
        if (_linkClear.TryGetValue((from, to), out TimeSpan clear) && clear > at)
        {
            at = clear;
        }

        _linkClear[(from, to)] = at;
        Enqueue(at, to, new InEvent<int>.RecvMessage(from, message));
    }

    private void NoticeFailure(int node, int peer, TimeSpan after)
    {
        if (_failurePending.Add((node, peer)))
        {
            Enqueue(Now + after, node, new InEvent<int>.PeerDisconnected(peer));
        }
    }

    private void Enqueue(TimeSpan at, int node, InEvent<int> input) => _queue.Enqueue((node, input), (at, _seq++));

    private sealed class Tracking(TimeSpan sentAt)
    {
        public TimeSpan SentAt => sentAt;

        public Dictionary<int, (TimeSpan At, int Hops)> Deliveries { get; } = [];

        public long PayloadMessages { get; set; }
    }
}
