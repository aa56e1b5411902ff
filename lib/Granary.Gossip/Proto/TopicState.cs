namespace Granary.Gossip.Proto;

/// <summary>
/// One node's state in one topic's swarm: <see cref="HyParView{TPeer}"/> membership and
/// <see cref="PlumTree{TPeer}"/> broadcast, as one IO-less state machine (iroh-gossip's
/// <c>proto::topic::State</c>). The single entry point is <see cref="Handle"/>: an input and the
/// current time in, outputs out — messages to send, events for the application, timers to set,
/// links to close. No clock, sockets or randomness of its own: the driver (the simulator or the
/// QUIC layer) supplies time and carries the outputs out; randomness is the seeded
/// <see cref="Random"/> it was given, so the same inputs give the same outputs.
/// </summary>
/// <typeparam name="TPeer">The peer identity (a node id on the network, a number in the simulator).</typeparam>
public sealed class TopicState<TPeer>
    where TPeer : notnull
{
    private readonly HyParView<TPeer> _membership;
    private readonly PlumTree<TPeer> _broadcast;
    private bool _started;

    /// <summary>A topic state for node <paramref name="self"/>.</summary>
    /// <param name="self">This node.</param>
    /// <param name="options">Parameters; validated here.</param>
    /// <param name="random">The only source of randomness (seed it for reproducible runs).</param>
    /// <exception cref="ArgumentException">An option out of range.</exception>
    public TopicState(TPeer self, GossipOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        Self = self;
        Options = options;
        _membership = new HyParView<TPeer>(self, options, random);
        _broadcast = new PlumTree<TPeer>(options);
    }

    /// <summary>This node.</summary>
    public TPeer Self { get; }

    /// <summary>The parameters in force.</summary>
    public GossipOptions Options { get; }

    /// <summary>Direct neighbours (HyParView's active view).</summary>
    public IReadOnlyList<TPeer> ActiveView => _membership.Active;

    /// <summary>Known peers kept for repair (HyParView's passive view).</summary>
    public IReadOnlyList<TPeer> PassiveView => _membership.Passive;

    /// <summary>Neighbours content is pushed to (PlumTree's eager peers).</summary>
    public IReadOnlyCollection<TPeer> EagerPeers => _broadcast.Eager;

    /// <summary>Neighbours only announced to (PlumTree's lazy peers).</summary>
    public IReadOnlyCollection<TPeer> LazyPeers => _broadcast.Lazy;

    /// <summary>True after a <see cref="InEvent{TPeer}.Quit"/>.</summary>
    public bool HasQuit => _membership.HasQuit;

    /// <summary>Handles one input at <paramref name="now"/> (a monotonic time; only differences matter).</summary>
    /// <returns>What to do, in order.</returns>
    /// <exception cref="ArgumentException">A broadcast larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    public IReadOnlyList<OutEvent<TPeer>> Handle(InEvent<TPeer> input, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(input);
        var output = new List<OutEvent<TPeer>>();
        if (!_started)
        {
            _started = true;
            output.Add(new OutEvent<TPeer>.ScheduleTimer(Options.ShuffleInterval, new ProtoTimer.Shuffle()));
            output.Add(new OutEvent<TPeer>.ScheduleTimer(Options.EvictInterval, new ProtoTimer.Evict()));
        }

        if (HasQuit)
        {
            return output;
        }

        switch (input)
        {
            case InEvent<TPeer>.RecvMessage { Message: JoinMessage<TPeer> or ForwardJoinMessage<TPeer> or NeighborMessage<TPeer> or DisconnectMessage<TPeer> or ShuffleMessage<TPeer> or ShuffleReplyMessage<TPeer> } membership:
                _membership.Handle(membership.From, membership.Message, output);
                break;
            case InEvent<TPeer>.RecvMessage broadcast:
                _broadcast.Handle(broadcast.From, broadcast.Message, now, output);
                break;
            case InEvent<TPeer>.Join join:
                _membership.Join(join.Peers, output);
                break;
            case InEvent<TPeer>.Broadcast broadcast:
                _broadcast.Broadcast(broadcast.Content, broadcast.Scope, now, output);
                break;
            case InEvent<TPeer>.Quit:
                _membership.Quit(output);
                break;
            case InEvent<TPeer>.PeerDisconnected disconnected:
                _membership.OnPeerDisconnected(disconnected.Peer, output);
                break;
            case InEvent<TPeer>.TimerExpired { Timer: ProtoTimer.Shuffle }:
                _membership.OnShuffleTimer(output);
                break;
            case InEvent<TPeer>.TimerExpired { Timer: ProtoTimer.Refill }:
                _membership.OnRefillTimer(output);
                break;
            case InEvent<TPeer>.TimerExpired { Timer: ProtoTimer.DispatchIHaves }:
                _broadcast.OnDispatchTimer(output);
                break;
            case InEvent<TPeer>.TimerExpired { Timer: ProtoTimer.Graft graft }:
                _broadcast.OnGraftTimer(graft.Id, output);
                break;
            case InEvent<TPeer>.TimerExpired { Timer: ProtoTimer.Evict }:
                _broadcast.OnEvictTimer(now, output);
                break;
        }

        // PlumTree's links are HyParView's active view: follow its changes, in order.
        foreach (OutEvent<TPeer> step in output)
        {
            switch (step)
            {
                case OutEvent<TPeer>.EmitEvent { Event: GossipEvent<TPeer>.NeighborUp up }:
                    _broadcast.OnNeighborUp(up.Peer);
                    break;
                case OutEvent<TPeer>.EmitEvent { Event: GossipEvent<TPeer>.NeighborDown down }:
                    _broadcast.OnNeighborDown(down.Peer);
                    break;
            }
        }

        return output;
    }
}
