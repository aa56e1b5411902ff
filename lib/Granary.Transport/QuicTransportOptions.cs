namespace Granary.Transport;

/// <summary>
/// QUIC transport parameters, sized for bulk data on fast links.
/// </summary>
/// <remarks>
/// A stream can have at most its receive window in flight, so one stream's throughput is at most
/// window / RTT. 8 MiB per stream fills 1 Gbit/s at 64 ms RTT, or 10 Gbit/s on a LAN (≤ 6 ms);
/// 32 MiB per connection lets four such streams run at full speed together. The send window
/// (16 MiB: 2 Gbit/s at 64 ms) bounds what the sender keeps unacknowledged. These are memory
/// limits too: a 1 GiB transfer never holds more than them on either side (bench/RESULTS.md:
/// ~60 MB client and ~110 MB server peak RSS with 8 streams, runtime included).
/// </remarks>
public sealed class QuicTransportOptions
{
    /// <summary>Bytes a peer may send on one stream beyond what we have read.</summary>
    public long StreamReceiveWindow { get; set; } = 8L << 20;

    /// <summary>Bytes a peer may send on all streams of a connection beyond what we have read.</summary>
    public long ConnectionReceiveWindow { get; set; } = 32L << 20;

    /// <summary>Bytes we keep in flight (sent, unacknowledged) per connection.</summary>
    public long SendWindow { get; set; } = 16L << 20;

    /// <summary>
    /// Bidirectional streams a peer may have open at once. One per request, so this caps a
    /// client's concurrent requests on one connection; more wait for a stream, not fail.
    /// </summary>
    public int MaxBidirectionalStreams { get; set; } = 1024;

    /// <summary>Unidirectional streams a peer may have open at once.</summary>
    public int MaxUnidirectionalStreams { get; set; } = 256;

    /// <summary>
    /// A connection with no traffic for this long is dead. This is also how long a request to a
    /// peer that vanished (killed, unplugged: no close arrives) can hang, so it is kept short;
    /// keep-alives stop it from closing connections that are merely quiet.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Ping interval that keeps an idle but wanted connection alive (below <see cref="IdleTimeout"/>).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// UDP payload bytes per packet. QUIC guarantees 1200 on any path; quinn 0.9 does no path-MTU
    /// discovery, so packets stay at this size for the whole connection. Raise it (1452 for IPv6
    /// over 1500-byte Ethernet, 1472 for IPv4) only where every path between nodes carries it:
    /// a larger value on a smaller path loses every full packet and the connection stalls.
    /// Per-packet work dominates bulk transfers, so this is the largest single throughput lever.
    /// </summary>
    public int InitialMaxUdpPayloadSize { get; set; } = 1200;

    internal Native.NativeMethods.TransportParams ToNative()
    {
        if (StreamReceiveWindow <= 0 || ConnectionReceiveWindow <= 0 || SendWindow <= 0 || MaxBidirectionalStreams < 0 || MaxUnidirectionalStreams < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(QuicTransportOptions), "Windows must be positive and stream limits not negative.");
        }

        if (KeepAliveInterval >= IdleTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), $"The keep-alive interval ({KeepAliveInterval}) must be shorter than the idle timeout ({IdleTimeout}), or connections die while idle.");
        }

        return new()
        {
            StreamReceiveWindow = (ulong)StreamReceiveWindow,
            ReceiveWindow = (ulong)ConnectionReceiveWindow,
            SendWindow = (ulong)SendWindow,
            MaxBidirectionalStreams = (ulong)MaxBidirectionalStreams,
            MaxUnidirectionalStreams = (ulong)MaxUnidirectionalStreams,
            IdleTimeoutMs = (ulong)IdleTimeout.TotalMilliseconds,
            KeepAliveMs = (ulong)KeepAliveInterval.TotalMilliseconds,
            InitialMaxUdpPayloadSize = InitialMaxUdpPayloadSize is >= 1200 and <= 65527
                ? (ulong)InitialMaxUdpPayloadSize
                : throw new ArgumentOutOfRangeException(nameof(InitialMaxUdpPayloadSize), $"The UDP payload size must be 1200 to 65527 bytes; {InitialMaxUdpPayloadSize} was given."),
        };
    }
}
