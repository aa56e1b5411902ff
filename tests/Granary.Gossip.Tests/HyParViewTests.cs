using Granary.Gossip.Proto;

namespace Granary.Gossip.Tests;

/// <summary>HyParView's transitions through <see cref="TopicState{TPeer}"/>, one input at a time, no IO: what each message does to the views and what it sends.</summary>
public sealed class HyParViewTests
{
    private static readonly TimeSpan T0 = TimeSpan.Zero;

    [Fact]
    public void A_join_makes_the_joiner_a_neighbour_answers_with_neighbor_and_forwards_the_join_to_the_others()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(Recv(9, new JoinMessage<int>()), T0);

        Assert.Contains(9, node.ActiveView);
        Assert.Contains(new OutEvent<int>.EmitEvent(new GossipEvent<int>.NeighborUp(9)), output);
        Assert.Contains(Sent(9, new NeighborMessage<int>(NeighborPriority.High)), output);
        Assert.Equal([1, 2, 3], Sends<ForwardJoinMessage<int>>(output).Select(s => s.To).Order());
        Assert.All(Sends<ForwardJoinMessage<int>>(output), s => Assert.Equal(new ForwardJoinMessage<int>(9, 6), s.Message));
    }

    [Fact]
    public void A_forward_join_walks_on_with_one_hop_less_and_at_PRWL_the_joiner_lands_in_the_passive_view()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> walking = node.Handle(Recv(1, new ForwardJoinMessage<int>(9, 5)), T0);
        var next = Assert.Single(Sends<ForwardJoinMessage<int>>(walking));
        Assert.Equal(4, next.Message.TimeToLive);
        Assert.DoesNotContain(next.To, new[] { 1, 9 }); // never back to the sender or to the joiner
        Assert.DoesNotContain(9, node.PassiveView);

        node.Handle(Recv(1, new ForwardJoinMessage<int>(8, 3)), T0); // PRWL = 3
        Assert.Contains(8, node.PassiveView);
        Assert.DoesNotContain(8, node.ActiveView);
    }

    [Fact]
    public void A_neighbour_that_joins_again_is_not_announced_again_and_a_walk_longer_than_ARWL_is_cut_to_it()
    {
        // Defences against a peer that floods: repeated joins would each send forward-joins to
        // every other neighbour, and a walk of 64 hops would cross the whole swarm.
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);
        node.Handle(Recv(9, new JoinMessage<int>()), T0);
        for (int i = 0; i < 100; i++)
        {
            Assert.Empty(node.Handle(Recv(9, new JoinMessage<int>()), T0).OfType<OutEvent<int>.SendMessage>());
        }

        IReadOnlyList<OutEvent<int>> walking = node.Handle(Recv(1, new ForwardJoinMessage<int>(8, 64)), T0);
        Assert.Equal(5, Assert.Single(Sends<ForwardJoinMessage<int>>(walking)).Message.TimeToLive); // ARWL 6, one hop taken
    }

    [Theory]
    [InlineData(0)] // the walk's end: time to live spent
    [InlineData(5)] // or a node whose only neighbour is the sender
    public void A_forward_join_ends_in_an_active_link_with_a_high_priority_neighbor_request(int timeToLive)
    {
        TopicState<int> node = WithNeighbours(0, timeToLive == 0 ? [1, 2] : [1]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(Recv(1, new ForwardJoinMessage<int>(9, timeToLive)), T0);

        Assert.Contains(9, node.ActiveView);
        Assert.Equal([Sent(9, new NeighborMessage<int>(NeighborPriority.High))], output.OfType<OutEvent<int>.SendMessage>());
    }

    [Fact]
    public void A_full_active_view_refuses_a_low_priority_neighbour_but_takes_a_high_one_by_evicting_a_random_neighbour()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3, 4, 5]);

        IReadOnlyList<OutEvent<int>> refused = node.Handle(Recv(9, new NeighborMessage<int>(NeighborPriority.Low)), T0);
        Assert.Equal([Sent(9, new DisconnectMessage<int>(Alive: true))], refused.OfType<OutEvent<int>.SendMessage>());
        Assert.DoesNotContain(9, node.ActiveView);
        Assert.Contains(9, node.PassiveView);

        IReadOnlyList<OutEvent<int>> taken = node.Handle(Recv(8, new NeighborMessage<int>(NeighborPriority.High)), T0);
        Assert.Contains(8, node.ActiveView);
        Assert.Equal(5, node.ActiveView.Count);
        var evicted = Assert.Single(Sends<DisconnectMessage<int>>(taken));
        Assert.True(evicted.Message.Alive);
        Assert.Contains(evicted.To, node.PassiveView);
        Assert.Contains(new OutEvent<int>.EmitEvent(new GossipEvent<int>.NeighborDown(evicted.To)), taken);
    }

    [Fact]
    public void A_disconnect_or_a_failed_link_drops_the_neighbour_and_the_view_is_refilled_from_the_passive_view()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2]);
        node.Handle(Recv(1, new ForwardJoinMessage<int>(7, 3)), T0); // 7 → passive

        IReadOnlyList<OutEvent<int>> left = node.Handle(Recv(2, new DisconnectMessage<int>(Alive: false)), T0);
        Assert.DoesNotContain(2, node.ActiveView);
        Assert.DoesNotContain(2, node.PassiveView); // it left the swarm
        Assert.Contains(new OutEvent<int>.ScheduleTimer(node.Options.NeighborRequestTimeout, new ProtoTimer.Refill()), left);

        // The refill asks one passive peer; with at most one neighbour left, with high priority.
        IReadOnlyList<OutEvent<int>> refill = node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Refill()), T0);
        Assert.Contains(Sent(7, new NeighborMessage<int>(NeighborPriority.High)), refill);
        Assert.Contains(7, node.ActiveView);

        node.Handle(new InEvent<int>.PeerDisconnected(7), T0);
        Assert.DoesNotContain(7, node.ActiveView);
        Assert.DoesNotContain(7, node.PassiveView); // failed: not kept for repair
    }

    [Fact]
    public void A_node_that_lost_every_neighbour_asks_at_once_and_one_that_knows_nobody_joins_its_bootstrap_again()
    {
        var node = new TopicState<int>(0, new GossipOptions(), new Random(1));
        node.Handle(new InEvent<int>.Join([1]), T0);
        node.Handle(Recv(1, new NeighborMessage<int>(NeighborPriority.High)), T0);

        IReadOnlyList<OutEvent<int>> lost = node.Handle(new InEvent<int>.PeerDisconnected(1), T0);

        Assert.Empty(node.ActiveView);
        Assert.Contains(Sent(1, new JoinMessage<int>()), lost);
    }

    [Fact]
    public void A_shuffle_walks_on_then_is_answered_with_a_passive_sample_and_both_sides_merge()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);
        node.Handle(Recv(1, new ForwardJoinMessage<int>(7, 3)), T0);

        IReadOnlyList<OutEvent<int>> walking = node.Handle(Recv(1, new ShuffleMessage<int>(40, [40, 41, 42], 4)), T0);
        var forwarded = Assert.Single(Sends<ShuffleMessage<int>>(walking));
        Assert.Equal(3, forwarded.Message.TimeToLive);
        Assert.NotEqual(1, forwarded.To);

        IReadOnlyList<OutEvent<int>> ended = node.Handle(Recv(1, new ShuffleMessage<int>(40, [40, 41, 42], 1)), T0);
        var reply = Assert.Single(Sends<ShuffleReplyMessage<int>>(ended));
        Assert.Equal(40, reply.To);
        Assert.Contains(7, reply.Message.Peers);
        Assert.Superset(new HashSet<int> { 40, 41, 42 }, node.PassiveView.ToHashSet());

        node.Handle(Recv(3, new ShuffleReplyMessage<int>([50, 0, 2])), T0);
        Assert.Contains(50, node.PassiveView);
        Assert.DoesNotContain(0, node.PassiveView); // never itself
        Assert.DoesNotContain(2, node.PassiveView); // never an active neighbour
    }

    [Fact]
    public void The_shuffle_timer_sends_itself_and_samples_of_both_views_to_one_neighbour_and_rearms()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2, 3]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(new InEvent<int>.TimerExpired(new ProtoTimer.Shuffle()), T0);

        var shuffle = Assert.Single(Sends<ShuffleMessage<int>>(output));
        Assert.Equal((0, 6), (shuffle.Message.Origin, shuffle.Message.TimeToLive));
        Assert.Contains(0, shuffle.Message.Peers);
        Assert.DoesNotContain(shuffle.To, shuffle.Message.Peers);
        Assert.Contains(new OutEvent<int>.ScheduleTimer(TimeSpan.FromSeconds(60), new ProtoTimer.Shuffle()), output);
    }

    [Fact]
    public void Quit_tells_every_neighbour_it_leaves_and_nothing_is_sent_afterwards()
    {
        TopicState<int> node = WithNeighbours(0, [1, 2]);

        IReadOnlyList<OutEvent<int>> output = node.Handle(new InEvent<int>.Quit(), T0);

        Assert.Equal([1, 2], Sends<DisconnectMessage<int>>(output).Where(s => !s.Message.Alive).Select(s => s.To).Order());
        Assert.Empty(node.Handle(Recv(3, new JoinMessage<int>()), T0).OfType<OutEvent<int>.SendMessage>());
        Assert.True(node.HasQuit);
    }

    /// <summary>Node <paramref name="self"/> with <paramref name="neighbours"/> in its active view (each took it in with a high-priority request).</summary>
    internal static TopicState<int> WithNeighbours(int self, int[] neighbours)
    {
        var node = new TopicState<int>(self, new GossipOptions(), new Random(self + 1));
        foreach (int peer in neighbours)
        {
            node.Handle(Recv(peer, new NeighborMessage<int>(NeighborPriority.High)), T0);
        }

        Assert.Equal(neighbours.Order(), node.ActiveView.Order());
        return node;
    }

    internal static InEvent<int>.RecvMessage Recv(int from, GossipMessage<int> message) => new(from, message);

    internal static OutEvent<int>.SendMessage Sent(int to, GossipMessage<int> message) => new(to, message);

    internal static IEnumerable<(int To, T Message)> Sends<T>(IEnumerable<OutEvent<int>> output)
        where T : GossipMessage<int> =>
        output.OfType<OutEvent<int>.SendMessage>().Where(s => s.Message is T).Select(s => (s.To, (T)s.Message));
}
