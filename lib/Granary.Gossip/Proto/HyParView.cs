namespace Granary.Gossip.Proto;

/// <summary>
/// HyParView membership for one topic (Leitão, Pereira, Rodrigues, DSN 2007): a small active view
/// of peers with open links (symmetric: if A has B, B has A) and a larger passive view of peers
/// known to be alive, kept fresh by shuffles and used to repair the active view when a neighbour
/// fails. No IO: every change is an <see cref="OutEvent{TPeer}"/> appended to the caller's list.
/// </summary>
/// <remarks>
/// Departures from the paper, as in iroh-gossip: a node adds a peer to its active view when it
/// sends <c>NEIGHBOR</c> (optimistically); a refusal comes back as <c>DISCONNECT</c>. Repair asks
/// one passive peer at a time, at most every <see cref="GossipOptions.NeighborRequestTimeout"/>
/// (immediately when the active view is empty), so refusals cannot loop; a node with at most one
/// neighbour asks with high priority, and one that knows nobody joins again through its bootstrap peers.
/// </remarks>
/// <typeparam name="TPeer">The peer identity.</typeparam>
internal sealed class HyParView<TPeer>(TPeer self, GossipOptions options, Random random)
    where TPeer : notnull
{
    private readonly List<TPeer> _active = [];
    private readonly List<TPeer> _passive = [];
    private readonly List<TPeer> _bootstrap = [];
    private bool _refillScheduled;

    /// <summary>Peers with a link, at most <see cref="GossipOptions.ActiveViewCapacity"/>.</summary>
    public IReadOnlyList<TPeer> Active => _active;

    /// <summary>Peers known, without a link, at most <see cref="GossipOptions.PassiveViewCapacity"/>.</summary>
    public IReadOnlyList<TPeer> Passive => _passive;

    /// <summary>True after <see cref="Quit"/>: the node sends nothing more.</summary>
    public bool HasQuit { get; private set; }

    /// <summary>Asks each of <paramref name="peers"/> (but this node) to take this node in (<c>JOIN</c>).</summary>
    public void Join(IReadOnlyList<TPeer> peers, List<OutEvent<TPeer>> output)
    {
        foreach (TPeer peer in peers.Distinct().Where(p => !IsSelf(p)))
        {
            if (!Contains(_bootstrap, peer))
            {
                _bootstrap.Add(peer);
            }

            output.Add(new OutEvent<TPeer>.SendMessage(peer, new JoinMessage<TPeer>()));
        }
    }

    /// <summary>Tells every active neighbour that this node leaves; nothing is sent afterwards.</summary>
    public void Quit(List<OutEvent<TPeer>> output)
    {
        foreach (TPeer peer in _active)
        {
            output.Add(new OutEvent<TPeer>.SendMessage(peer, new DisconnectMessage<TPeer>(Alive: false)));
            output.Add(new OutEvent<TPeer>.EmitEvent(new GossipEvent<TPeer>.NeighborDown(peer)));
            output.Add(new OutEvent<TPeer>.DisconnectPeer(peer));
        }

        _active.Clear();
        _passive.Clear();
        HasQuit = true;
    }

    /// <summary>Handles a HyParView message from <paramref name="from"/>.</summary>
    public void Handle(TPeer from, GossipMessage<TPeer> message, List<OutEvent<TPeer>> output)
    {
        if (HasQuit || IsSelf(from))
        {
            return;
        }

        switch (message)
        {
            case JoinMessage<TPeer>:
                // A join from a neighbour is not news: announcing it again would let one peer
                // flood the swarm with forward-joins, four or so per frame it sends.
                if (Contains(_active, from))
                {
                    break;
                }

                AddActive(from, NeighborPriority.High, announce: true, output);
                foreach (TPeer other in _active.Where(p => !Same(p, from)).ToList())
                {
                    output.Add(Send(other, new ForwardJoinMessage<TPeer>(from, options.ActiveRandomWalkLength)));
                }

                break;
            case ForwardJoinMessage<TPeer> forward:
                OnForwardJoin(from, forward, output);
                break;
            case NeighborMessage<TPeer> neighbor:
                if (Contains(_active, from))
                {
                    break;
                }

                if (neighbor.Priority == NeighborPriority.High || _active.Count < options.ActiveViewCapacity)
                {
                    AddActive(from, neighbor.Priority, announce: false, output);
                }
                else
                {
                    output.Add(Send(from, new DisconnectMessage<TPeer>(Alive: true)));
                    AddPassive(from);
                }

                break;
            case DisconnectMessage<TPeer> disconnect:
                RemoveActive(from, output);
                Remove(_passive, from);
                if (disconnect.Alive)
                {
                    AddPassive(from);
                }

                Repair(output);
                break;
            case ShuffleMessage<TPeer> shuffle:
                OnShuffle(from, shuffle, output);
                break;
            case ShuffleReplyMessage<TPeer> reply:
                foreach (TPeer peer in reply.Peers.Take(options.ShuffleActiveCount + options.ShufflePassiveCount + 1))
                {
                    AddPassive(peer);
                }

                break;
        }
    }

    /// <summary>The link to <paramref name="peer"/> failed: it is dropped from both views and the active view is repaired.</summary>
    public void OnPeerDisconnected(TPeer peer, List<OutEvent<TPeer>> output)
    {
        if (HasQuit)
        {
            return;
        }

        RemoveActive(peer, output);
        Remove(_passive, peer);
        Repair(output);
    }

    /// <summary>The periodic shuffle: a sample of both views walks to a random peer, which answers with its passive sample.</summary>
    public void OnShuffleTimer(List<OutEvent<TPeer>> output)
    {
        if (HasQuit)
        {
            return;
        }

        output.Add(new OutEvent<TPeer>.ScheduleTimer(options.ShuffleInterval, new ProtoTimer.Shuffle()));
        if (_active.Count == 0)
        {
            Repair(output);
            return;
        }

        TPeer target = _active[random.Next(_active.Count)];
        List<TPeer> sample = [self, .. Sample(_active.Where(p => !Same(p, target)).ToList(), options.ShuffleActiveCount), .. Sample(_passive, options.ShufflePassiveCount)];
        output.Add(Send(target, new ShuffleMessage<TPeer>(self, sample, options.ShuffleRandomWalkLength)));
    }

    /// <summary>The refill timer: one neighbour request to a random passive peer if the active view has room.</summary>
    public void OnRefillTimer(List<OutEvent<TPeer>> output)
    {
        _refillScheduled = false;
        if (HasQuit || _active.Count >= options.ActiveViewCapacity)
        {
            return;
        }

        if (_passive.Count == 0)
        {
            // Nobody left to ask but the peers it joined through: join again (they may be back,
            // or know others), and keep trying while the active view is empty.
            if (_active.Count == 0 && _bootstrap.Count > 0)
            {
                output.Add(Send(_bootstrap[random.Next(_bootstrap.Count)], new JoinMessage<TPeer>()));
                _refillScheduled = true;
                output.Add(new OutEvent<TPeer>.ScheduleTimer(options.NeighborRequestTimeout, new ProtoTimer.Refill()));
            }

            return;
        }

        // A node with at most one neighbour asks with high priority (always accepted): otherwise a
        // pair that only knows full peers would stay a partition of its own, refused for ever.
        TPeer candidate = _passive[random.Next(_passive.Count)];
        AddActive(candidate, _active.Count <= 1 ? NeighborPriority.High : NeighborPriority.Low, announce: true, output);
        if (_active.Count < options.ActiveViewCapacity)
        {
            ScheduleRefill(output);
        }
    }

    private void OnForwardJoin(TPeer from, ForwardJoinMessage<TPeer> forward, List<OutEvent<TPeer>> output)
    {
        // A walk is never longer than this swarm's own: a peer cannot send one around for 64 hops.
        forward = forward with { TimeToLive = Math.Min(forward.TimeToLive, options.ActiveRandomWalkLength) };
        TPeer joiner = forward.Peer;
        if (IsSelf(joiner))
        {
            return;
        }

        if (forward.TimeToLive <= 0 || _active.Count <= 1)
        {
            AddActive(joiner, NeighborPriority.High, announce: true, output);
            return;
        }

        if (forward.TimeToLive == options.PassiveRandomWalkLength)
        {
            AddPassive(joiner);
        }

        List<TPeer> next = _active.Where(p => !Same(p, from) && !Same(p, joiner)).ToList();
        if (next.Count == 0)
        {
            AddActive(joiner, NeighborPriority.High, announce: true, output);
            return;
        }

        output.Add(Send(next[random.Next(next.Count)], forward with { TimeToLive = forward.TimeToLive - 1 }));
    }

    private void OnShuffle(TPeer from, ShuffleMessage<TPeer> shuffle, List<OutEvent<TPeer>> output)
    {
        List<TPeer> offered = shuffle.Peers.Take(options.ShuffleActiveCount + options.ShufflePassiveCount + 1).ToList();
        if (shuffle.TimeToLive > 1 && _active.Count > 1)
        {
            List<TPeer> next = _active.Where(p => !Same(p, from) && !Same(p, shuffle.Origin)).ToList();
            if (next.Count > 0)
            {
                output.Add(Send(next[random.Next(next.Count)], shuffle with { Peers = offered, TimeToLive = shuffle.TimeToLive - 1 }));
                return;
            }
        }

        if (!IsSelf(shuffle.Origin))
        {
            output.Add(Send(shuffle.Origin, new ShuffleReplyMessage<TPeer>(Sample(_passive, offered.Count))));
        }

        foreach (TPeer peer in offered)
        {
            AddPassive(peer);
        }
    }

    /// <summary>Adds <paramref name="peer"/> to the active view (evicting a random neighbour if full); with <paramref name="announce"/>, asks it to do the same.</summary>
    private void AddActive(TPeer peer, NeighborPriority priority, bool announce, List<OutEvent<TPeer>> output)
    {
        if (IsSelf(peer) || Contains(_active, peer))
        {
            return;
        }

        Remove(_passive, peer);
        if (_active.Count >= options.ActiveViewCapacity)
        {
            TPeer evicted = _active[random.Next(_active.Count)];
            output.Add(Send(evicted, new DisconnectMessage<TPeer>(Alive: true)));
            RemoveActive(evicted, output);
            AddPassive(evicted);
        }

        _active.Add(peer);
        output.Add(new OutEvent<TPeer>.EmitEvent(new GossipEvent<TPeer>.NeighborUp(peer)));
        if (announce)
        {
            output.Add(Send(peer, new NeighborMessage<TPeer>(priority)));
        }
    }

    private void RemoveActive(TPeer peer, List<OutEvent<TPeer>> output)
    {
        if (Remove(_active, peer))
        {
            output.Add(new OutEvent<TPeer>.EmitEvent(new GossipEvent<TPeer>.NeighborDown(peer)));
            output.Add(new OutEvent<TPeer>.DisconnectPeer(peer));
        }
    }

    private void AddPassive(TPeer peer)
    {
        if (IsSelf(peer) || Contains(_active, peer) || Contains(_passive, peer))
        {
            return;
        }

        if (_passive.Count >= options.PassiveViewCapacity)
        {
            _passive.RemoveAt(random.Next(_passive.Count));
        }

        _passive.Add(peer);
    }

    /// <summary>After a loss: an empty active view asks a passive peer at once (high priority, always accepted); otherwise a refill is scheduled.</summary>
    private void Repair(List<OutEvent<TPeer>> output)
    {
        if (_active.Count == 0 && (_passive.Count > 0 || _bootstrap.Count > 0))
        {
            OnRefillTimer(output);
        }
        else if (_active.Count < options.ActiveViewCapacity)
        {
            ScheduleRefill(output);
        }
    }

    private void ScheduleRefill(List<OutEvent<TPeer>> output)
    {
        if (!_refillScheduled && (_passive.Count > 0 || (_active.Count == 0 && _bootstrap.Count > 0)))
        {
            _refillScheduled = true;
            output.Add(new OutEvent<TPeer>.ScheduleTimer(options.NeighborRequestTimeout, new ProtoTimer.Refill()));
        }
    }

    private List<TPeer> Sample(IReadOnlyList<TPeer> from, int count)
    {
        List<TPeer> pool = [.. from];
        for (int i = pool.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }

        return pool.Count > count ? pool.GetRange(0, count) : pool;
    }

    private bool IsSelf(TPeer peer) => Same(peer, self);

    private static bool Same(TPeer a, TPeer b) => EqualityComparer<TPeer>.Default.Equals(a, b);

    private static bool Contains(List<TPeer> view, TPeer peer) => view.Exists(p => Same(p, peer));

    private static bool Remove(List<TPeer> view, TPeer peer)
    {
        int index = view.FindIndex(p => Same(p, peer));
        if (index < 0)
        {
            return false;
        }

        view.RemoveAt(index);
        return true;
    }

    private static OutEvent<TPeer>.SendMessage Send(TPeer to, GossipMessage<TPeer> message) => new(to, message);
}
