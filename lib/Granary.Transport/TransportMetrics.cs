using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Granary.Transport;

/// <summary>
/// The transport's instruments (meter <see cref="MeterName"/>): bytes through QUIC streams and open
/// connections, both by protocol. Recorded always; they cost next to nothing until a listener (a
/// silo's <c>--metrics</c> exporter) enables them. Names and attributes follow OpenTelemetry's
/// semantic conventions (<c>network.protocol.name</c>, <c>network.io.direction</c>).
/// </summary>
public static class TransportMetrics
{
    /// <summary>The meter's name, <c>Granary.Transport</c>.</summary>
    public const string MeterName = "Granary.Transport";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Io = Meter.CreateCounter<long>(
        "granary.quic.io", "By", "Bytes read from and written to QUIC streams, by protocol (ALPN) and direction.");

    private static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>(
        "granary.quic.connections", "{connection}", "QUIC connections open now, by protocol (ALPN).");

    /// <summary>Counts <paramref name="bytes"/> received on a stream of <paramref name="protocol"/>.</summary>
    internal static void Received(string protocol, long bytes)
    {
        if (Io.Enabled)
        {
            Io.Add(bytes, new TagList { { "network.protocol.name", protocol }, { "network.io.direction", "receive" } });
        }
    }

    /// <summary>Counts <paramref name="bytes"/> sent on a stream of <paramref name="protocol"/>.</summary>
    internal static void Sent(string protocol, long bytes)
    {
        if (Io.Enabled)
        {
            Io.Add(bytes, new TagList { { "network.protocol.name", protocol }, { "network.io.direction", "transmit" } });
        }
    }

    /// <summary>A connection of <paramref name="protocol"/> opened (+1) or ended (-1).</summary>
    internal static void Connection(string protocol, int change) =>
        Connections.Add(change, new KeyValuePair<string, object?>("network.protocol.name", protocol));
}
