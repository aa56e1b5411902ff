namespace Granary.Transport;

/// <summary>
/// QUIC transport parameters, sized for bulk data on fast links.
/// </summary>
/// <remarks>
/// A stream can have at most its receive window in flight, so one stream's throughput is at most
/// window / RTT: 4 MiB per stream fills 1 Gbit/s at 32 ms RTT, or 10 Gbit/s on a LAN (≤ 3 ms);
/// 32 MiB per connection lets eight such streams run at full speed together. The send window
/// (4 MiB) bounds what the sender keeps unacknowledged per connection. These are memory limits
/// above all: quinn buffers up to them per connection, so a silo serving N transfers holds up to
/// N × 4 MiB in the transport. At 16 MiB of send window and 8 MiB per stream, 16 downloads and 16
/// uploads held ~380 MB in quinn alone (silo peak RSS 572 MB); at 4 MiB, 376 MB in all, with no
/// measurable loss on a 1 GiB loopback download (bench/RESULTS.md, issue 17). Raise them for long
/// fat links (one stream over 100 ms at 1 Gbit/s needs 12 MiB).
/// Checked by <see cref="Validate"/> when an endpoint binds (<see cref="QuicEndpoint.Bind"/>).
/// </remarks>
public sealed class QuicTransportOptions
{
    /// <summary>The largest value QUIC can carry for a window (a variable-length integer: 2^62 - 1).</summary>
    private const long MaxVarInt = (1L << 62) - 1;

    /// <summary>Bytes a peer may send on one stream beyond what we have read; 1 to 2^62 - 1. Default: 4 MiB.</summary>
    public long StreamReceiveWindow { get; set; } = 4L << 20;

    /// <summary>Bytes a peer may send on all streams of a connection beyond what we have read; 1 to 2^62 - 1. Default: 32 MiB.</summary>
    public long ConnectionReceiveWindow { get; set; } = 32L << 20;

    /// <summary>Bytes we keep in flight (sent, unacknowledged) per connection; positive. Default: 4 MiB.</summary>
    public long SendWindow { get; set; } = 4L << 20;

    /// <summary>
    /// Bidirectional streams a peer may have open at once; at least 1. One per request, so this
    /// caps a client's concurrent requests on one connection; more wait for a stream, not fail.
    /// Default: 1024.
    /// </summary>
    public int MaxBidirectionalStreams { get; set; } = 1024;

    /// <summary>Unidirectional streams a peer may have open at once; at least 1. Default: 256.</summary>
    public int MaxUnidirectionalStreams { get; set; } = 256;

    /// <summary>
    /// A connection with no traffic for this long is dead. This is also how long a request to a
    /// peer that vanished (killed, unplugged: no close arrives) can hang, so it is kept short;
    /// keep-alives stop it from closing connections that are merely quiet. At least 1 ms (whole
    /// milliseconds count). Default: 10 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Ping interval that keeps an idle but wanted connection alive: at least 1 ms and shorter than
    /// <see cref="IdleTimeout"/>, or zero for no keep-alives. Default: 3 s.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The largest UDP payload <see cref="InitialMaxUdpPayloadSize"/> may ask for: 1480, the
    /// <c>max_udp_payload_size</c> every quinn 0.9 endpoint advertises (its default, which also
    /// sizes the endpoint's receive buffers: 64 GRO segments × 32 datagrams × this). quinn sends no
    /// larger packets than the peer advertises once the handshake is done, so a larger value only
    /// enlarged the handshake's packets: 8952 and 12 000 measured the same as 1452, and 14 000 or
    /// more made the handshake fail on 127.0.0.1 ("no answer"). Raising the advertised size would
    /// cost ~18 MiB of receive buffers per endpoint at 8952 bytes.
    /// </summary>
    public const int MaxUdpPayloadSize = 1480;

    /// <summary>
    /// UDP payload bytes per packet, 1200 to <see cref="MaxUdpPayloadSize"/> (1480). QUIC guarantees
    /// 1200 on any path; quinn 0.9 does no path-MTU discovery, so packets stay at this size for the
    /// whole connection. Raise it (1452 for IPv6 over 1500-byte Ethernet, 1472 for IPv4) only where
    /// every path between nodes carries it: a larger value on a smaller path loses every full packet
    /// and the connection stalls. Per-packet work dominates bulk transfers: 1452 moved a 1 GiB
    /// stream on 127.0.0.1 15–25 % faster than 1200 (bench/RESULTS.md). Default: 1200.
    /// </summary>
    public int InitialMaxUdpPayloadSize { get; set; } = 1200;

    /// <summary>
    /// The environment variable that sets the UDP payload size of every endpoint made by
    /// <see cref="ForPath"/> (silos, the CLI, the PowerShell module): 1200 to
    /// <see cref="MaxUdpPayloadSize"/> bytes, for a LAN whose every path carries it (1452 on
    /// 1500-byte Ethernet with IPv6, 1472 with IPv4 only).
    /// </summary>
    public const string UdpPayloadVariable = "GRANARY_UDP_PAYLOAD";

    /// <summary>
    /// The defaults for an endpoint whose every peer is reached through <paramref name="address"/>.
    /// Packets are <see cref="UdpPayloadVariable"/>'s size when it is set; else
    /// <see cref="MaxUdpPayloadSize"/> on a loopback address (127.0.0.0/8, ::1: the device's MTU is
    /// 64 KiB, so nothing between the ends can drop them) and 1200, the size QUIC guarantees on every
    /// path, anywhere else (quinn 0.9 cannot discover more). An endpoint that connects to one silo
    /// passes the silo's address; a silo passes the address it listens on (one bound to loopback can
    /// only reach peers on this host).
    /// </summary>
    /// <param name="address">The peer's address, or the address the endpoint is bound to.</param>
    /// <returns>New options; the caller may change them further.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="UdpPayloadVariable"/> is set to something other than a whole number from 1200 to 1480; the message says so.</exception>
    public static QuicTransportOptions ForPath(System.Net.IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int payload = System.Net.IPAddress.IsLoopback(address) ? MaxUdpPayloadSize : 1200;
        if (Environment.GetEnvironmentVariable(UdpPayloadVariable) is { Length: > 0 } set)
        {
            payload = int.TryParse(set, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int asked) && asked is >= 1200 and <= MaxUdpPayloadSize
                ? asked
                : throw new ArgumentException(
                    $"{UdpPayloadVariable} is '{set}'; it must be a UDP payload size from 1200 to {MaxUdpPayloadSize} bytes that every network path between Granary's nodes carries (1452 on 1500-byte Ethernet with IPv6, 1472 with IPv4 only), or unset for 1200 (1480 on loopback).");
        }

        return new QuicTransportOptions { InitialMaxUdpPayloadSize = payload };
    }

    /// <summary>Throws if a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A window, stream limit, timeout or the payload size is out of the range its property
    /// documents; the message names the option, its value and what is allowed.
    /// </exception>
    public void Validate()
    {
        CheckWindow(StreamReceiveWindow, nameof(StreamReceiveWindow));
        CheckWindow(ConnectionReceiveWindow, nameof(ConnectionReceiveWindow));
        if (SendWindow <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SendWindow), $"QuicTransportOptions.SendWindow is {SendWindow}; it must be a positive number of bytes.");
        }

        // The native layer reads 0 as "quinn's default" (100), not "none": refuse it rather than surprise.
        if (MaxBidirectionalStreams < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBidirectionalStreams), $"QuicTransportOptions.MaxBidirectionalStreams is {MaxBidirectionalStreams}; it must be at least 1.");
        }

        if (MaxUnidirectionalStreams < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxUnidirectionalStreams), $"QuicTransportOptions.MaxUnidirectionalStreams is {MaxUnidirectionalStreams}; it must be at least 1.");
        }

        // Both timeouts cross as whole milliseconds, where 0 means "quinn's default" / "no keep-alives".
        if (IdleTimeout < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), $"QuicTransportOptions.IdleTimeout is {IdleTimeout}; it must be at least 1 ms.");
        }

        if (KeepAliveInterval != TimeSpan.Zero && (KeepAliveInterval < TimeSpan.FromMilliseconds(1) || KeepAliveInterval >= IdleTimeout))
        {
            throw new ArgumentOutOfRangeException(
                nameof(KeepAliveInterval),
                $"QuicTransportOptions.KeepAliveInterval is {KeepAliveInterval}; it must be at least 1 ms and shorter than IdleTimeout ({IdleTimeout}), or idle connections die, or zero for no keep-alives.");
        }

        if (InitialMaxUdpPayloadSize is < 1200 or > MaxUdpPayloadSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(InitialMaxUdpPayloadSize),
                $"QuicTransportOptions.InitialMaxUdpPayloadSize is {InitialMaxUdpPayloadSize}; it must be 1200 to {MaxUdpPayloadSize} bytes (the most the QUIC library's endpoints accept from a peer).");
        }
    }

    /// <summary>The parameters as the native layer takes them; call <see cref="Validate"/> first (<see cref="QuicEndpointOptions.Validate"/> does).</summary>
    internal Native.NativeMethods.TransportParams ToNative()
    {
        return new()
        {
            StreamReceiveWindow = (ulong)StreamReceiveWindow,
            ReceiveWindow = (ulong)ConnectionReceiveWindow,
            SendWindow = (ulong)SendWindow,
            MaxBidirectionalStreams = (ulong)MaxBidirectionalStreams,
            MaxUnidirectionalStreams = (ulong)MaxUnidirectionalStreams,
            IdleTimeoutMs = (ulong)IdleTimeout.TotalMilliseconds,
            KeepAliveMs = (ulong)KeepAliveInterval.TotalMilliseconds,
            InitialMaxUdpPayloadSize = (ulong)InitialMaxUdpPayloadSize,
        };
    }

    private static void CheckWindow(long value, string name)
    {
        if (value is <= 0 or > MaxVarInt)
        {
            throw new ArgumentOutOfRangeException(name, $"QuicTransportOptions.{name} is {value}; it must be 1 to 2^62 - 1 bytes.");
        }
    }
}
