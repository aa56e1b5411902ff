using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Transport;

namespace Granary.Bench;

/// <summary>
/// Gossip over real QUIC on this machine (issue 15's benchmark):
///   gossip-net
/// Ten <see cref="GossipNode"/>s in this process, each its own endpoint on 127.0.0.1, join one
/// topic; then one node broadcasts 64-byte messages at fixed rates (each carries its send time)
/// for 3 s per rate. Per rate: messages delivered at the other nine nodes (%), broadcasts per
/// second achieved, and delivery latency p50/p99/max over every (message, receiver) pair.
/// </summary>
internal static class GossipNetBench
{
    private const int Nodes = 10;

    public static async Task<int> RunAsync()
    {
        var topic = TopicId.FromName("bench/gossip-net");
        var routers = new List<ProtocolRouter>();
        var nodes = new List<GossipNode>();
        var subscriptions = new List<GossipSubscription>();
        var latencies = new ConcurrentBag<double>[Nodes];
        var received = new long[Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            var identity = NodeIdentity.CreateEphemeral();
            ProtocolRouter router = ProtocolRouter.Bind(new QuicEndpointOptions { Identity = identity, ApplicationProtocols = [GossipWire.Alpn] }, [GossipWire.Alpn]);
            var node = new GossipNode(router.Endpoint, seed: i);
            router.Serve(new Dictionary<string, IProtocolHandler> { [GossipWire.Alpn] = node });
            routers.Add(router);
            nodes.Add(node);
            IReadOnlyList<SiloTicket> bootstrap = i == 0 ? [] : [nodes[(i * 7) % i].Self, nodes[i - 1].Self];
            subscriptions.Add(node.Subscribe(topic, [.. bootstrap.Distinct()]));
            latencies[i] = [];
        }

        List<Task> readers = [.. Enumerable.Range(1, Nodes - 1).Select(i => Task.Run(async () =>
        {
            await foreach (GossipEvent<SiloTicket> e in subscriptions[i].Events.ReadAllAsync())
            {
                if (e is GossipEvent<SiloTicket>.Received r && r.Content.Length >= 8)
                {
                    long sent = BinaryPrimitives.ReadInt64LittleEndian(r.Content.Span);
                    latencies[i].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    Interlocked.Increment(ref received[i]);
                }
            }
        }))];

        var settle = Stopwatch.StartNew();
        while (subscriptions.Any(s => s.Neighbors.Count == 0) && settle.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // past the first IHave/graft rounds
        Console.WriteLine($"# gossip over QUIC: {Nodes} nodes in one process on 127.0.0.1, {Environment.ProcessorCount} cores; one sender, 64-byte messages, 3 s per rate");
        Console.WriteLine($"{"rate/s",7}  {"sent",6}  {"delivered",9}  {"bcast/s",8}  {"p50 ms",7}  {"p99 ms",7}  {"max ms",7}  {"dropped peers",13}");
        long sequence = 0;
        foreach (int rate in new[] { 100, 500, 1000, 2000, 5000 })
        {
            foreach (ConcurrentBag<double> bag in latencies)
            {
                bag.Clear();
            }

            Array.Clear(received);
            int downBefore = subscriptions.Sum(s => s.Neighbors.Count);
            var clock = Stopwatch.StartNew();
            int sent = 0;
            byte[] content = new byte[64];
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                long due = (long)(clock.Elapsed.TotalSeconds * rate);
                for (; sent < due; sent++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(content, Stopwatch.GetTimestamp());
                    BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(8), ++sequence); // distinct ids
                    await subscriptions[0].BroadcastAsync(content.ToArray());
                }

                await Task.Delay(1);
            }

            double sendSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(2)); // stragglers
            double[] all = [.. latencies.Skip(1).SelectMany(b => b).Order()];
            long delivered = received.Skip(1).Sum();
            double percent = 100.0 * delivered / Math.Max(1, (long)sent * (Nodes - 1));
            int links = subscriptions.Sum(s => s.Neighbors.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{rate,7}  {sent,6}  {percent,8:0.0}%  {sent / sendSeconds,8:0}  {Pct(all, 0.50),7:0.0}  {Pct(all, 0.99),7:0.0}  {(all.Length > 0 ? all[^1] : 0),7:0.0}  {Math.Max(0, downBefore - links),13}"));
        }

        foreach (GossipSubscription s in subscriptions)
        {
            await s.DisposeAsync();
        }

        foreach (GossipNode node in nodes)
        {
            await node.DisposeAsync();
        }

        foreach (ProtocolRouter router in routers)
        {
            await router.DisposeAsync();
        }

        await Task.WhenAny(Task.WhenAll(readers), Task.Delay(TimeSpan.FromSeconds(5)));
        return 0;
    }

    private static double Pct(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
