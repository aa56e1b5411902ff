using System.Text;
using Granary.Gossip.Proto;
using Granary.Hashing;
using static Granary.Gossip.Tests.HyParViewTests;

namespace Granary.Gossip.Tests;

/// <summary>PlumTree's transitions through <see cref="TopicState{TPeer}"/>, no IO: eager push, lazy IHave, prune on duplicates, graft after a missed IHave, tree optimisation.</summary>
public sealed class PlumTreeTests
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("hello swarm");
    private static readonly Blake3Hash Id = Blake3.Hash(Content);

    [Fact]
    public void A_broadcast_goes_eagerly_to_every_neighbour_of_a_fresh_tree_and_is_not_delivered_to_its_sender()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(new InEvent<int>.Broadcast(Content, DeliveryScope.Swarm), TimeSpan.Zero);

        Assert.Equal([1, 2, 3], Sends<GossipPayloadMessage<int>>(output).Select(s => s.To).Order());
        Assert.All(Sends<GossipPayloadMessage<int>>(output), s => Assert.Equal((Id, 0), (s.Message.Id, s.Message.Round)));
        Assert.DoesNotContain(output.OfType<OutEvent<int>.EmitEvent>(), e => e.Event is GossipEvent<int>.Received);
    }

    [Fact]
    public void A_first_copy_is_delivered_and_forwarded_a_duplicate_prunes_its_link_and_lazy_links_get_batched_IHaves()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> first = node.Handle(Recv(1, Gossip(round: 2)), TimeSpan.Zero);
        Assert.Contains(new OutEvent<int>.EmitEvent(new GossipEvent<int>.Received(Content, 1, DeliveryScope.Swarm, 3)), first, new ReceivedComparer());
        Assert.Equal([2, 3], Sends<GossipPayloadMessage<int>>(first).Select(s => s.To).Order());
        Assert.All(Sends<GossipPayloadMessage<int>>(first), s => Assert.Equal(3, s.Message.Round));

        IReadOnlyList<OutEvent<int>> duplicate = node.Handle(Recv(2, Gossip(round: 2)), TimeSpan.Zero);
        Assert.Equal([Sent(2, new PruneMessage<int>())], duplicate.OfType<OutEvent<int>.SendMessage>());
        Assert.Empty(duplicate.OfType<OutEvent<int>.EmitEvent>());
        Assert.Contains(2, node.LazyPeers);

        // The next message goes eagerly to 1 and 3, and to the lazy 2 as an IHave after the dispatch delay.
        byte[] next = Encoding.UTF8.GetBytes("second");
        IReadOnlyList<OutEvent<int>> sent = node.Handle(new InEvent<int>.Broadcast(next, DeliveryScope.Swarm), TimeSpan.Zero);
        Assert.Equal([1, 3], Sends<GossipPayloadMessage<int>>(sent).Select(s => s.To).Order());
        Assert.Contains(new OutEvent<int>.ScheduleTimer(TimeSpan.FromMilliseconds(5), new ProtoTimer.DispatchIHaves()), sent);
        IReadOnlyList<OutEvent<int>> dispatched = node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.DispatchIHaves()), TimeSpan.FromMilliseconds(5));
        var ihave = Assert.Single(Sends<IHaveMessage<int>>(dispatched));
        Assert.Equal(2, ihave.To);
        Assert.Equal([(Blake3.Hash(next), 0)], ihave.Message.Messages);
    }

    [Fact]
    public void A_prune_makes_the_link_lazy_and_a_graft_makes_it_eager_again_and_answers_with_the_content()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2]);
        node.Handle(new InEvent<int>.Broadcast(Content, DeliveryScope.Swarm), TimeSpan.Zero);

        node.Handle(Recv(2, new PruneMessage<int>()), TimeSpan.Zero);
        Assert.Equal([1], node.EagerPeers);
        Assert.Equal([2], node.LazyPeers);

        IReadOnlyList<OutEvent<int>> grafted = node.Handle(Recv(2, new GraftMessage<int>(Id, 0)), TimeSpan.FromSeconds(1));
        Assert.Equal([1, 2], node.EagerPeers.Order());
        var resent = Assert.Single(Sends<GossipPayloadMessage<int>>(grafted));
        Assert.Equal((2, Id), (resent.To, resent.Message.Id));
    }

    [Fact]
    public void A_message_announced_but_not_received_grafts_the_announcer_after_the_timeout_then_the_next_one()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> announced = node.Handle(Recv(2, new IHaveMessage<int>([(Id, 4)])), TimeSpan.Zero);
        node.Handle(Recv(3, new IHaveMessage<int>([(Id, 5)])), TimeSpan.Zero);
        Assert.Equal([new OutEvent<int>.ScheduleTimer(TimeSpan.FromMilliseconds(80), new ProtoTimer.Graft(Id))], announced.OfType<OutEvent<int>.ScheduleTimer>());

        IReadOnlyList<OutEvent<int>> graft = node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Graft(Id)), TimeSpan.FromMilliseconds(80));
        Assert.Equal([Sent(2, new GraftMessage<int>(Id, 4))], graft.OfType<OutEvent<int>.SendMessage>());
        Assert.Contains(new OutEvent<int>.ScheduleTimer(TimeSpan.FromMilliseconds(40), new ProtoTimer.Graft(Id)), graft);

        IReadOnlyList<OutEvent<int>> second = node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Graft(Id)), TimeSpan.FromMilliseconds(120));
        Assert.Equal([Sent(3, new GraftMessage<int>(Id, 5))], second.OfType<OutEvent<int>.SendMessage>());

        // Once it arrived, a late timer does nothing.
        node.Handle(Recv(3, Gossip(round: 5)), TimeSpan.FromMilliseconds(130));
        Assert.Empty(node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Graft(Id)), TimeSpan.FromMilliseconds(160)).OfType<OutEvent<int>.SendMessage>());
    }

    [Fact]
    public void An_announcer_much_closer_to_the_source_than_the_eager_parent_takes_its_place()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);
        node.Handle(Recv(3, new IHaveMessage<int>([(Id, 1)])), TimeSpan.Zero);

        IReadOnlyList<OutEvent<int>> received = node.Handle(Recv(1, Gossip(round: 9)), TimeSpan.FromMilliseconds(10)); // 1 + 7 < 9

        Assert.Contains(Sent(3, new GraftMessage<int>(null, 1)), received);
        Assert.Contains(Sent(1, new PruneMessage<int>()), received);
        Assert.Contains(1, node.LazyPeers);
    }

    [Fact]
    public void A_neighbours_only_broadcast_is_delivered_but_never_forwarded_and_bad_messages_are_dropped()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(Recv(1, Gossip(round: 0) with { Scope = DeliveryScope.Neighbors }), TimeSpan.Zero);
        Assert.Single(output.OfType<OutEvent<int>.EmitEvent>());
        Assert.Empty(output.OfType<OutEvent<int>.SendMessage>());

        // An id that is not its content's hash, and content over the size limit: neither delivered nor forwarded.
        Assert.Empty(node.Handle(Recv(2, new GossipPayloadMessage<int>(Blake3.Hash("other"u8), "forged"u8.ToArray(), 0, DeliveryScope.Swarm)), TimeSpan.Zero));
        byte[] huge = new byte[4097];
        Assert.Empty(node.Handle(Recv(2, new GossipPayloadMessage<int>(Blake3.Hash(huge), huge, 0, DeliveryScope.Swarm)), TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => node.Handle(new InEvent<int>.Broadcast(huge, DeliveryScope.Swarm), TimeSpan.Zero));
    }

    [Fact]
    public void Contents_are_kept_30_s_for_grafts_and_ids_90_s_against_duplicates()
    {
        TopicState<int> node = WithNeighbours(0, [1]);
        node.Handle(Recv(1, Gossip(round: 0)), TimeSpan.Zero);

        node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Evict()), TimeSpan.FromSeconds(31));
        Assert.Empty(Sends<GossipPayloadMessage<int>>(node.Handle(Recv(1, new GraftMessage<int>(Id, 0)), TimeSpan.FromSeconds(31))));
        Assert.Empty(node.Handle(Recv(1, Gossip(round: 0)), TimeSpan.FromSeconds(32)).OfType<OutEvent<int>.EmitEvent>()); // still a duplicate

        node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Evict()), TimeSpan.FromSeconds(91));
        Assert.Single(node.Handle(Recv(1, Gossip(round: 0)), TimeSpan.FromSeconds(92)).OfType<OutEvent<int>.EmitEvent>()); // forgotten: new again
    }

    private static GossipPayloadMessage<int> Gossip(int round) => new(Id, Content, round, DeliveryScope.Swarm);

    /// <summary>Received events compare their content's bytes (a ReadOnlyMemory compares by reference).</summary>
    private sealed class ReceivedComparer : IEqualityComparer<OutEvent<int>>
    {
        public bool Equals(OutEvent<int>? x, OutEvent<int>? y) =>
            x is OutEvent<int>.EmitEvent { Event: GossipEvent<int>.Received a } && y is OutEvent<int>.EmitEvent { Event: GossipEvent<int>.Received b }
                && a.Content.Span.SequenceEqual(b.Content.Span) && (a.DeliveredFrom, a.Scope, a.Hops) == (b.DeliveredFrom, b.Scope, b.Hops);

        public int GetHashCode(OutEvent<int> obj) => 0;
    }
}
