using Granary.Hashing;

namespace Granary.Gossip.Proto;

/// <summary>
/// PlumTree broadcast for one topic (Leitão, Pereira, Rodrigues, "Epidemic Broadcast Trees",
/// SRDS 2007): content travels eagerly along a spanning tree of the active view; every other link
/// is lazy and carries only batched IHave announcements. A duplicate prunes the link it came over
/// (eager → lazy); a message announced but not received within <see cref="GossipOptions.GraftTimeout1"/>
/// grafts the announcer (lazy → eager) and asks it for the content, which repairs the tree. No IO.
/// </summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
internal sealed class PlumTree<TPeer>(GossipOptions options)
    where TPeer : notnull
{
    private readonly HashSet<TPeer> _eager = [];
    private readonly HashSet<TPeer> _lazy = [];
    private readonly Dictionary<Blake3Hash, Seen> _received = [];
    private readonly Dictionary<Blake3Hash, Cached> _cache = [];
    private readonly Dictionary<Blake3Hash, List<(TPeer Peer, int Round)>> _missing = [];
    private readonly Dictionary<TPeer, List<(Blake3Hash Id, int Round)>> _ihaves = [];
    private bool _dispatchScheduled;

    /// <summary>Neighbours content is pushed to.</summary>
    public IReadOnlyCollection<TPeer> Eager => _eager;

    /// <summary>Neighbours only announced to.</summary>
    public IReadOnlyCollection<TPeer> Lazy => _lazy;

    /// <summary>Message ids remembered (for duplicate detection).</summary>
    public int ReceivedCount => _received.Count;

    /// <summary>A new neighbour starts eager (the tree's first guess is every link).</summary>
    public void OnNeighborUp(TPeer peer)
    {
        _lazy.Remove(peer);
        _eager.Add(peer);
    }

    /// <summary>A neighbour gone: forgotten from the tree, its announcements and its queued IHaves.</summary>
    public void OnNeighborDown(TPeer peer)
    {
        _eager.Remove(peer);
        _lazy.Remove(peer);
        _ihaves.Remove(peer);
        foreach (List<(TPeer Peer, int Round)> announcers in _missing.Values)
        {
            announcers.RemoveAll(a => EqualityComparer<TPeer>.Default.Equals(a.Peer, peer));
        }
    }

    /// <summary>Broadcasts <paramref name="content"/> from this node.</summary>
    /// <exception cref="ArgumentException">The content is larger than <see cref="GossipOptions.MaxMessageSize"/>.</exception>
    public void Broadcast(ReadOnlyMemory<byte> content, DeliveryScope scope, TimeSpan now, List<OutEvent<TPeer>> output)
    {
        if (content.Length > options.MaxMessageSize)
        {
            throw new ArgumentException($"A gossip message is at most {options.MaxMessageSize} bytes; this one is {content.Length}. Send a blob and gossip its hash instead.", nameof(content));
        }

        Blake3Hash id = Blake3.Hash(content.Span);
        if (_received.ContainsKey(id))
        {
            return; // the same content is the same message: already sent or received
        }

        _received[id] = new Seen(now, Round: 0);
        var message = new GossipPayloadMessage<TPeer>(id, content, Round: 0, scope);
        if (scope == DeliveryScope.Neighbors)
        {
            foreach (TPeer peer in _eager.Concat(_lazy))
            {
                output.Add(new OutEvent<TPeer>.SendMessage(peer, message));
            }

            return;
        }

        _cache[id] = new Cached(message, now);
        foreach (TPeer peer in _eager)
        {
            output.Add(new OutEvent<TPeer>.SendMessage(peer, message));
        }

        Announce(id, 0, except: default, hasExcept: false, output);
    }

    /// <summary>Handles a PlumTree message from the neighbour <paramref name="from"/>.</summary>
    public void Handle(TPeer from, GossipMessage<TPeer> message, TimeSpan now, List<OutEvent<TPeer>> output)
    {
        switch (message)
        {
            case GossipPayloadMessage<TPeer> gossip:
                OnGossip(from, gossip, now, output);
                break;
            case PruneMessage<TPeer>:
                if (_eager.Remove(from))
                {
                    _lazy.Add(from);
                }

                break;
            case IHaveMessage<TPeer> ihave:
                foreach ((Blake3Hash id, int round) in ihave.Messages.Take(options.MaxIHaveBatch))
                {
                    if (_received.ContainsKey(id))
                    {
                        continue;
                    }

                    if (!_missing.TryGetValue(id, out List<(TPeer Peer, int Round)>? announcers))
                    {
                        _missing[id] = announcers = [];
                        output.Add(new OutEvent<TPeer>.ScheduleTimer(options.GraftTimeout1, new ProtoTimer.Graft(id)));
                    }

                    if (announcers.Count < options.ActiveViewCapacity * 2)
                    {
                        announcers.Add((from, round));
                    }
                }

                break;
            case GraftMessage<TPeer> graft:
                if (_lazy.Remove(from) || _eager.Contains(from))
                {
                    _eager.Add(from);
                }

                if (graft.Id is { } wanted && _cache.TryGetValue(wanted, out Cached? cached))
                {
                    output.Add(new OutEvent<TPeer>.SendMessage(from, cached.Message));
                }

                break;
        }
    }

    /// <summary>The graft timer of a missing message: graft the first announcer left and ask it; try the next after <see cref="GossipOptions.GraftTimeout2"/>.</summary>
    public void OnGraftTimer(Blake3Hash id, List<OutEvent<TPeer>> output)
    {
        if (_received.ContainsKey(id) || !_missing.TryGetValue(id, out List<(TPeer Peer, int Round)>? announcers))
        {
            _missing.Remove(id);
            return;
        }

        if (announcers.Count == 0)
        {
            _missing.Remove(id);
            return;
        }

        (TPeer peer, int round) = announcers[0];
        announcers.RemoveAt(0);
        _lazy.Remove(peer);
        _eager.Add(peer);
        output.Add(new OutEvent<TPeer>.SendMessage(peer, new GraftMessage<TPeer>(id, round)));
        output.Add(new OutEvent<TPeer>.ScheduleTimer(options.GraftTimeout2, new ProtoTimer.Graft(id)));
    }

    /// <summary>Sends the IHaves gathered since the last dispatch, one message per peer (at most <see cref="GossipOptions.MaxIHaveBatch"/> ids each).</summary>
    public void OnDispatchTimer(List<OutEvent<TPeer>> output)
    {
        _dispatchScheduled = false;
        foreach ((TPeer peer, List<(Blake3Hash Id, int Round)> ids) in _ihaves)
        {
            for (int start = 0; start < ids.Count; start += options.MaxIHaveBatch)
            {
                output.Add(new OutEvent<TPeer>.SendMessage(peer, new IHaveMessage<TPeer>(ids.GetRange(start, Math.Min(options.MaxIHaveBatch, ids.Count - start)))));
            }
        }

        _ihaves.Clear();
    }

    /// <summary>Drops contents older than <see cref="GossipOptions.MessageCacheDuration"/> and ids older than <see cref="GossipOptions.MessageIdRetention"/>.</summary>
    public void OnEvictTimer(TimeSpan now, List<OutEvent<TPeer>> output)
    {
        foreach (Blake3Hash id in _cache.Where(c => now - c.Value.At >= options.MessageCacheDuration).Select(c => c.Key).ToList())
        {
            _cache.Remove(id);
        }

        foreach (Blake3Hash id in _received.Where(r => now - r.Value.At >= options.MessageIdRetention).Select(r => r.Key).ToList())
        {
            _received.Remove(id);
        }

        output.Add(new OutEvent<TPeer>.ScheduleTimer(options.EvictInterval, new ProtoTimer.Evict()));
    }

    private void OnGossip(TPeer from, GossipPayloadMessage<TPeer> gossip, TimeSpan now, List<OutEvent<TPeer>> output)
    {
        if (gossip.Content.Length > options.MaxMessageSize || Blake3.Hash(gossip.Content.Span) != gossip.Id)
        {
            return; // oversized, or an id that is not its content's hash: not this protocol's message
        }

        if (_received.ContainsKey(gossip.Id))
        {
            if (gossip.Scope == DeliveryScope.Swarm && _eager.Remove(from))
            {
                // A second copy over this link: the tree has a cycle here. Make the link lazy on both ends.
                _lazy.Add(from);
                output.Add(new OutEvent<TPeer>.SendMessage(from, new PruneMessage<TPeer>()));
            }

            return;
        }

        _received[gossip.Id] = new Seen(now, gossip.Round + 1);
        output.Add(new OutEvent<TPeer>.EmitEvent(new GossipEvent<TPeer>.Received(gossip.Content, from, gossip.Scope, gossip.Round + 1)));
        if (gossip.Scope == DeliveryScope.Neighbors)
        {
            return;
        }

        _missing.Remove(gossip.Id, out List<(TPeer Peer, int Round)>? announcers);
        if (_lazy.Remove(from))
        {
            _eager.Add(from);
        }

        // Tree optimisation: an announcer much closer to the source than the eager parent becomes the parent.
        if (announcers is { Count: > 0 } && announcers.MinBy(a => a.Round) is var best && best.Round + options.OptimizationThreshold < gossip.Round)
        {
            _lazy.Remove(best.Peer);
            _eager.Add(best.Peer);
            output.Add(new OutEvent<TPeer>.SendMessage(best.Peer, new GraftMessage<TPeer>(null, best.Round)));
            if (_eager.Remove(from))
            {
                _lazy.Add(from);
                output.Add(new OutEvent<TPeer>.SendMessage(from, new PruneMessage<TPeer>()));
            }
        }

        var forward = gossip with { Round = gossip.Round + 1 };
        _cache[gossip.Id] = new Cached(forward, now);
        foreach (TPeer peer in _eager.Where(p => !EqualityComparer<TPeer>.Default.Equals(p, from)))
        {
            output.Add(new OutEvent<TPeer>.SendMessage(peer, forward));
        }

        Announce(gossip.Id, forward.Round, from, hasExcept: true, output);
    }

    /// <summary>Queues an IHave of <paramref name="id"/> for every lazy neighbour (but <paramref name="except"/>) and makes sure a dispatch is scheduled.</summary>
    private void Announce(Blake3Hash id, int round, TPeer? except, bool hasExcept, List<OutEvent<TPeer>> output)
    {
        foreach (TPeer peer in _lazy)
        {
            if (hasExcept && EqualityComparer<TPeer>.Default.Equals(peer, except))
            {
                continue;
            }

            if (!_ihaves.TryGetValue(peer, out List<(Blake3Hash Id, int Round)>? queue))
            {
                _ihaves[peer] = queue = [];
            }

            queue.Add((id, round));
        }

        if (_ihaves.Count > 0 && !_dispatchScheduled)
        {
            _dispatchScheduled = true;
            output.Add(new OutEvent<TPeer>.ScheduleTimer(options.DispatchTimeout, new ProtoTimer.DispatchIHaves()));
        }
    }

    private sealed record Seen(TimeSpan At, int Round);

    private sealed record Cached(GossipPayloadMessage<TPeer> Message, TimeSpan At);
}
