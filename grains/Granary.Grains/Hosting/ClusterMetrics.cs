using System.Diagnostics.Metrics;

namespace Granary.Grains.Hosting;

/// <summary>
/// The cluster layer's event instruments (meter <see cref="MeterName"/>): bytes copied by repair and
/// gossip messages through this silo. The silo host adds the state gauges (backlog, members,
/// channels) from its own services; these count what happens between scrapes.
/// </summary>
public static class ClusterMetrics
{
    /// <summary>The meter's name, <c>Granary.Cluster</c>.</summary>
    public const string MeterName = "Granary.Cluster";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> RepairIo = Meter.CreateCounter<long>(
        "granary.repair.io", "By", "Bytes of blobs this silo fetched from other silos to restore R copies (repair, drains, scrub restores).");

    private static readonly Counter<long> RepairCopies = Meter.CreateCounter<long>(
        "granary.repair.copies", "{blob}", "Copies of blobs this silo fetched from other silos, by outcome (ok, failed).");

    private static readonly Counter<long> GossipMessages = Meter.CreateCounter<long>(
        "granary.gossip.messages", "{message}", "Gossip messages through this silo's topics: published by its clients (publish) or received from the swarm (receive).");

    /// <summary>Counts one copy fetched by repair: <paramref name="bytes"/> if it succeeded.</summary>
    public static void Repaired(long bytes, bool ok)
    {
        RepairCopies.Add(1, new KeyValuePair<string, object?>("granary.outcome", ok ? "ok" : "failed"));
        if (ok)
        {
            RepairIo.Add(bytes);
        }
    }

    /// <summary>Counts a gossip message; <paramref name="direction"/> is <c>publish</c> or <c>receive</c>.</summary>
    public static void Gossiped(string direction) =>
        GossipMessages.Add(1, new KeyValuePair<string, object?>("granary.direction", direction));
}
