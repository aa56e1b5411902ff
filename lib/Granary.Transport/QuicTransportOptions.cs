namespace Granary.Transport;

/// <summary>
/// QUIC transport parameters, sized for bulk data on fast links.
/// </summary>
/// <remarks>
/// A stream can have at most its receive window in flight, so one stream's throughput is at most
/// window / RTT. 8 MiB per stream fills 1 Gbit/s at 64 ms RTT, or 10 Gbit/s on a LAN (≤ 6 ms);
/// 32 MiB per connection lets four such streams run at full speed together. They are also the
/// bounds on what a slow reader makes the sender buffer, so they are memory limits: a 1 GiB
/// transfer never holds more than these in memory on either side.
/// </remarks>
public sealed class QuicTransportOptions
{
    /// <summary>Bytes a peer may send on one stream beyond what we have read.</summary>
    public long StreamReceiveWindow { get; set; } = 8L << 20;

    /// <summary>Bytes a peer may send on all streams of a connection beyond what we have read.</summary>
    public long ConnectionReceiveWindow { get; set; } = 32L << 20;

    /// <summary>Bytes we keep in flight (sent, unacknowledged) per connection.</summary>
    public long SendWindow { get; set; } = 32L << 20;

    /// <summary>
    /// Bidirectional streams a peer may have open at once. One per request, so this caps a
    /// client's concurrent requests on one connection; more wait for a stream, not fail.
    /// </summary>
    public int MaxBidirectionalStreams { get; set; } = 1024;

    /// <summary>Unidirectional streams a peer may have open at once.</summary>
    public int MaxUnidirectionalStreams { get; set; } = 256;

    /// <summary>A connection with no traffic for this long is dead.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ping interval that keeps an idle but wanted connection alive (below <see cref="IdleTimeout"/>).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

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
        };
    }
}
