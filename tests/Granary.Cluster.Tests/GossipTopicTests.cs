using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Testing;

namespace Granary.Cluster.Tests;

/// <summary>
/// Gossip topics across silo processes on PostgreSQL: clients subscribe and publish through
/// different silos; every message reaches every subscriber once; the topic's grain lists the silos
/// in its swarm and forgets one whose last subscriber left; a killed silo's neighbours repair the
/// swarm; and the cluster-events topic tells a watcher about a silo that died and one that started.
/// </summary>
public sealed class GossipTopicTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Messages_published_through_any_silo_reach_every_subscriber_on_every_silo_once_even_after_a_silo_dies()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 4);
        TopicId topic = TopicId.FromName("granary-test/chat");
        using var cancel = new CancellationTokenSource();

        // One subscriber on each silo (two on silo 0).
        var subscribers = new List<Subscriber>();
        foreach (SiloProcess silo in cluster.Silos.Append(cluster.Silos[0]))
        {
            subscribers.Add(await Subscriber.StartAsync(silo, cluster.Token, topic, cancel.Token));
        }

        await cluster.WaitForAsync(async () => (await ListAsync(cluster, topic)).Silos.Count == 4, "the topic lists all four silos", Patience);

        // Through every silo in turn, including those whose own subscribers must get it too.
        var sent = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            string text = $"message {i}";
            await using GossipClient publisher = await GossipClient.ConnectAsync(cluster.Silos[i % 4].Ticket, cluster.Token);
            await publisher.PublishAsync(topic, null, Encoding.UTF8.GetBytes(text));
            sent.Add(text);
        }

        await cluster.WaitForAsync(() => Task.FromResult(subscribers.All(s => sent.All(s.Received.Contains))), "every subscriber has every message", Patience);
        Assert.All(subscribers, s => Assert.Equal(s.Received.Count, s.Received.Distinct().Count()));

        // Silo 3 dies without a goodbye: the others' subscribers still hear each other.
        SiloProcess dead = cluster.Silos[3];
        dead.Kill();
        await cluster.WaitForAsync(async () => await cluster.DeclaredDeadAsync(dead), "silo 3 declared dead", Patience);
        await using (GossipClient publisher = await GossipClient.ConnectAsync(cluster.Silos[1].Ticket, cluster.Token))
        {
            await publisher.PublishAsync(topic, null, "after the death"u8.ToArray());
        }

        List<Subscriber> alive = [.. subscribers.Where(s => s.Silo != dead)];
        await cluster.WaitForAsync(() => Task.FromResult(alive.All(s => s.Received.Contains("after the death"))), "the message after the death everywhere", Patience);
        Assert.DoesNotContain((await ListAsync(cluster, topic)).Silos, t => t == dead.Ticket);

        // Silo 2's only subscriber leaves: silo 2 leaves the swarm, and the topic's grain forgets it.
        Subscriber leaving = subscribers.Single(s => s.Silo == cluster.Silos[2]);
        await leaving.DisposeAsync();
        await cluster.WaitForAsync(async () => !(await ListAsync(cluster, topic)).Silos.Contains(cluster.Silos[2].Ticket), "silo 2 left the topic", Patience);
        // The dead silo is dropped for good: no storm of retries (each would log a "dropped" line).
        await Task.Delay(TimeSpan.FromSeconds(10));
        foreach (SiloProcess survivor in cluster.Running)
        {
            int retries = survivor.Log.Split('\n').Count(l => l.Contains("dropped", StringComparison.Ordinal) && l.Contains(dead.Ticket.Node.ToString(), StringComparison.Ordinal));
            Assert.True(retries <= 6, $"{survivor.Ticket} dropped the dead silo {retries} times:\n{survivor.Log[Math.Max(0, survivor.Log.Length - 3000)..]}");
        }

        await cancel.CancelAsync();
        foreach (Subscriber s in subscribers)
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Cluster_watch_tells_of_a_silo_declared_dead_and_of_one_that_started()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        using var cancel = new CancellationTokenSource();
        await using Subscriber watcher = await Subscriber.StartAsync(cluster.Silos[0], cluster.Token, TopicId.FromName(TopicsProtocol.ClusterEventsTopic), cancel.Token);

        SiloProcess victim = cluster.Silos[2];
        victim.Kill();
        SiloProcess newcomer = await cluster.AddSiloAsync();
        bool Told(string what, SiloProcess silo, string? status = null) => watcher.Received.Select(m => ClusterEvent.TryParse(Encoding.UTF8.GetBytes(m)))
            .Any(e => e is not null && e.Event == what && e.Silo == silo.Ticket.ToString() && (status is null || e.Status == status));

        await cluster.WaitForAsync(() => Task.FromResult(Told("membership", victim, "Dead")), "a membership event: the killed silo is Dead", Patience);
        await cluster.WaitForAsync(() => Task.FromResult(Told("silo-started", newcomer)), "the new silo's silo-started event", Patience);

        // The CLI's view of the same topic: stopping a silo gracefully is told too. Other events
        // (the membership changes of this very stop, a late one of the kill above, repair backlogs)
        // may come first in any order, so the CLI's lines are read until that one arrives.
        ProcessStartInfo start = SiloProcess.CliStartInfo(["cluster", "watch", "--silo", cluster.Silos[0].Ticket.ToString(), "--token-file", Path.Combine(cluster.Silos[0].DataDirectory, "admin.token")]);

        using Process watching = Process.Start(start)!;
        var lines = new ConcurrentQueue<string>();
        Task reading = Task.Run(async () =>
        {
            while (await watching.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        });
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // the CLI's subscription is in place
            Assert.Equal(0, await cluster.Silos[1].StopAsync(Patience));
            string stopped = cluster.Silos[1].Ticket.ToString();
            await cluster.WaitForAsync(() => Task.FromResult(lines.Any(l => l.Contains(" silo-stopping ", StringComparison.Ordinal))), "the CLI's silo-stopping line", Patience);
            Assert.Contains(lines, l => Regex.IsMatch(l, $@"^\d\d:\d\d:\d\d  silo-stopping +{Regex.Escape(stopped)}$"));
        }
        finally
        {
            watching.Kill();
            await watching.WaitForExitAsync();
            await reading;
        }

        await cancel.CancelAsync();
    }

    [Fact]
    public async Task A_silo_restarts_on_postgresql_with_both_indexes_intact()
    {
        // The gossip topic index and the transfer index once shared a row of grain storage (both
        // "index"/"cluster"): every silo that restarted could not read the transfer index and stopped.
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 1);
        SiloProcess first = cluster.Silos[0];
        await cluster.WaitForAsync(async () => (await ListTopicsAsync(first)).Any(r => r.Name == TopicsProtocol.ClusterEventsTopic), "the cluster-events topic is indexed", Patience);
        Assert.Equal(0, await first.StopAsync(Patience));

        SiloProcess again = await cluster.AddSiloAsync(dataDirectory: first.DataDirectory);
        await using Granary.Blobs.Client.Transfers.TransferClient transfers = await Granary.Blobs.Client.Transfers.TransferClient.ConnectAsync(again.Ticket, cluster.Token);
        Assert.Empty(await transfers.ListAsync());
        Assert.Contains((await ListTopicsAsync(again)), r => r.Name == TopicsProtocol.ClusterEventsTopic);
        Assert.DoesNotContain("not compatible", again.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("were not resumed", again.Log, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<TopicReport>> ListTopicsAsync(SiloProcess silo)
    {
        await using GossipClient client = await GossipClient.ConnectAsync(silo.Ticket, silo.Token);
        return await client.ListAsync();
    }

    private static async Task<TopicReport> ListAsync(TestCluster cluster, TopicId topic)
    {
        await using GossipClient client = await GossipClient.ConnectAsync(cluster.Running.First().Ticket, cluster.Token);
        return (await client.ListAsync()).Single(r => r.Topic == topic);
    }

    /// <summary>A client subscribed through one silo, collecting the messages it receives.</summary>
    private sealed class Subscriber : IAsyncDisposable
    {
        private readonly GossipClient _client;
        private readonly CancellationTokenSource _stop;
        private readonly Task _reading;

        private Subscriber(SiloProcess silo, GossipClient client, CancellationTokenSource stop, Task reading, ConcurrentQueue<string> received) =>
            (Silo, _client, _stop, _reading, Received) = (silo, client, stop, reading, received);

        public SiloProcess Silo { get; }

        public ConcurrentQueue<string> Received { get; }

        public static async Task<Subscriber> StartAsync(SiloProcess silo, string token, TopicId topic, CancellationToken cancellationToken)
        {
            GossipClient client = await GossipClient.ConnectAsync(silo.Ticket, token, cancellationToken);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var received = new ConcurrentQueue<string>();
            var joined = new TaskCompletionSource();
            Task reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (TopicEvent e in client.SubscribeAsync(topic, null, stop.Token))
                    {
                        if (e.Kind == TopicEventKind.Joined)
                        {
                            joined.TrySetResult();
                        }
                        else if (e.Kind == TopicEventKind.Received)
                        {
                            received.Enqueue(Encoding.UTF8.GetString(e.Content.Span));
                        }
                    }
                }
                catch (Exception error) when (error is OperationCanceledException or Granary.Transport.QuicException)
                {
                    // Unsubscribed, or its silo was killed.
                }
                catch (Exception error)
                {
                    joined.TrySetException(error);
                }
            }, CancellationToken.None);
            await joined.Task.WaitAsync(Patience, cancellationToken);
            return new Subscriber(silo, client, stop, reading, received);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync();
                await _reading.WaitAsync(Patience);
                await _client.DisposeAsync();
            }
        }
    }
}
