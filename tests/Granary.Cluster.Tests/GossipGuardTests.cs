using System.Collections.Concurrent;
using System.Text;
using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Cluster.Tests;

/// <summary>
/// What a silo's gossip refuses, against a real silo process: a node outside the cluster that
/// speaks granary/gossip/1 to it reaches no subscriber; a client may not publish on the
/// cluster-events topic; an identical message within 90 s is one message everywhere, the local
/// subscribers included, and the publisher is told.
/// </summary>
public sealed class GossipGuardTests
{
    [Fact]
    public async Task A_stranger_node_reaches_no_subscriber_clients_cannot_forge_cluster_events_and_a_repeat_is_delivered_nowhere()
    {
        using var data = new TempDirectory();
        await using SiloProcess silo = await SiloProcess.StartAsync(data.Path, cluster: null);
        TopicId topic = TopicId.FromName("guarded");
        await using GossipClient client = await GossipClient.ConnectAsync(silo.Ticket, silo.Token);
        using var stop = new CancellationTokenSource();
        var received = new ConcurrentQueue<string>();
        var joined = new TaskCompletionSource();
        Task reading = Task.Run(async () =>
        {
            try
            {
                await foreach (TopicEvent e in client.SubscribeAsync(topic, "guarded", stop.Token))
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
            catch (OperationCanceledException)
            {
                // Unsubscribed.
            }
        });
        await joined.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // A node of no cluster joins the topic through the silo and broadcasts: refused at the connection.
        using (var identity = NodeIdentity.CreateEphemeral())
        {
            ProtocolRouter router = ProtocolRouter.Bind(new QuicEndpointOptions { Identity = identity, ApplicationProtocols = [GossipWire.Alpn] }, [GossipWire.Alpn]);
            await using (router)
            {
                await using var stranger = new GossipNode(router.Endpoint);
                router.Serve(new Dictionary<string, IProtocolHandler> { [GossipWire.Alpn] = stranger });
                GossipSubscription intrusion = stranger.Subscribe(topic, [silo.Ticket]);
                for (int i = 0; i < 10; i++)
                {
                    await intrusion.BroadcastAsync(Encoding.UTF8.GetBytes($"injected {i}"));
                    await Task.Delay(200);
                }

                Assert.Empty(intrusion.Neighbors);
            }
        }

        Assert.Contains("refused: not a member of this cluster", silo.Log, StringComparison.Ordinal);

        // Only the silos speak on the cluster-events topic.
        var forged = await Assert.ThrowsAsync<BlobProtocolException>(() =>
            client.PublishAsync(TopicId.FromName(TopicsProtocol.ClusterEventsTopic), null, Encoding.UTF8.GetBytes("{\"event\":\"membership\",\"silo\":\"x\",\"time\":\"2026-12-03T00:00:00Z\",\"status\":\"Dead\"}")));
        Assert.Equal(BlobStatus.Forbidden, forged.Status);

        // The same content twice: delivered once (here too), and the publisher hears it was a repeat.
        Assert.True(await client.PublishAsync(topic, null, "ping"u8.ToArray()));
        Assert.False(await client.PublishAsync(topic, null, "ping"u8.ToArray()));
        Assert.True(await client.PublishAsync(topic, null, "pong"u8.ToArray()));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!received.Contains("pong") && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.Equal(["ping", "pong"], received.ToArray());
        await stop.CancelAsync();
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
