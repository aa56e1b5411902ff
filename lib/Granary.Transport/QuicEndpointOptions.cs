using System.Net;

namespace Granary.Transport;

/// <summary>How to bind a <see cref="QuicEndpoint"/>.</summary>
public sealed class QuicEndpointOptions
{
    /// <summary>Local address and port (port 0 = any free port).</summary>
    public IPEndPoint Bind { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>Protocols (ALPN) accepted from peers; empty = this endpoint only connects.</summary>
    public IReadOnlyList<string> ApplicationProtocols { get; set; } = [];

    /// <summary>This node's key and certificate, for both accepting and connecting.</summary>
    public required NodeIdentity Identity { get; set; }

    /// <summary>Transport parameters for every connection of the endpoint.</summary>
    public QuicTransportOptions Transport { get; set; } = new();

    /// <summary>How long a connect may take before it fails (a QUIC peer that is not there does not answer at all).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
