using System.Net;
using System.Text;

namespace Granary.Transport;

/// <summary>How to bind a <see cref="QuicEndpoint"/>. Checked by <see cref="Validate"/> when it binds (<see cref="QuicEndpoint.Bind"/>).</summary>
public sealed class QuicEndpointOptions
{
    /// <summary>The longest timeout a <see cref="CancellationTokenSource"/> takes (int.MaxValue milliseconds, about 24.9 days).</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Local address and port (port 0 = any free port). Default: 127.0.0.1:0.</summary>
    public IPEndPoint Bind { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>Protocols (ALPN) accepted from peers, each 1 to 255 bytes of UTF-8; empty = this endpoint only connects. Default: empty.</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; set; } = [];

    /// <summary>This node's key and certificate, for both accepting and connecting. Required.</summary>
    public required NodeIdentity Identity { get; set; }

    /// <summary>Transport parameters for every connection of the endpoint. Default: <see cref="QuicTransportOptions"/>' defaults.</summary>
    public QuicTransportOptions Transport { get; set; } = new();

    /// <summary>
    /// How long a connect may take before it fails (a QUIC peer that is not there does not answer
    /// at all); positive, at most int.MaxValue milliseconds. Default: 5 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws if a value is missing or out of range, including <see cref="Transport"/>'s.</summary>
    /// <exception cref="ArgumentException">
    /// A missing value or an application protocol that is empty or longer than 255 bytes; the
    /// message names the option, its value and what is allowed.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The connect timeout or a transport parameter is out of range.</exception>
    public void Validate()
    {
        if (Bind is null)
        {
            throw new ArgumentException("QuicEndpointOptions.Bind is null; it must be a local address and port (port 0 = any free port).", nameof(Bind));
        }

        if (ApplicationProtocols is null)
        {
            throw new ArgumentException("QuicEndpointOptions.ApplicationProtocols is null; it must be a list of protocols, empty for an endpoint that only connects.", nameof(ApplicationProtocols));
        }

        foreach (string protocol in ApplicationProtocols)
        {
            int length = protocol is null ? 0 : Encoding.UTF8.GetByteCount(protocol);
            if (length is 0 or > 255)
            {
                throw new ArgumentException($"QuicEndpointOptions.ApplicationProtocols holds '{protocol}' ({length} bytes); each protocol must be 1 to 255 bytes of UTF-8.", nameof(ApplicationProtocols));
            }
        }

        if (Identity is null)
        {
            throw new ArgumentException("QuicEndpointOptions.Identity is null; it must be this node's identity (NodeIdentity.LoadOrCreate).", nameof(Identity));
        }

        if (Transport is null)
        {
            throw new ArgumentException("QuicEndpointOptions.Transport is null; it must be transport parameters (new QuicTransportOptions() for the defaults).", nameof(Transport));
        }

        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), $"QuicEndpointOptions.ConnectTimeout is {ConnectTimeout}; it must be positive and at most {MaxTimeout}.");
        }

        Transport.Validate();
    }
}
