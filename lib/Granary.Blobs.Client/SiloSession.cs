using System.Net;
using System.Net.Sockets;
using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// A client's own QUIC connection to one silo on one ALPN: an ephemeral node identity, an endpoint
/// bound to any port of the silo's address family, and the connection; disposed together. What
/// the command clients (transfers, gossip topics) open per command.
/// </summary>
internal sealed class SiloSession : IAsyncDisposable
{
    private readonly NodeIdentity _identity;
    private readonly QuicEndpoint _endpoint;

    private SiloSession(NodeIdentity identity, QuicEndpoint endpoint, QuicConnection connection) => (_identity, _endpoint, Connection) = (identity, endpoint, connection);

    /// <summary>The connection.</summary>
    public QuicConnection Connection { get; }

    /// <summary>Connects to <paramref name="silo"/> speaking <paramref name="alpn"/>.</summary>
    /// <exception cref="QuicException">The silo could not be reached or is not that node.</exception>
    public static async Task<SiloSession> ConnectAsync(SiloTicket silo, string alpn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var identity = NodeIdentity.CreateEphemeral();
        var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions
        {
            Identity = identity,
            Bind = new IPEndPoint(silo.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0),
            Transport = QuicTransportOptions.ForPath(silo.Address.Address),
        });
        try
        {
            QuicConnection connection = await endpoint.ConnectAsync(silo.Address, silo.Node, alpn, cancellationToken).ConfigureAwait(false);
            return new SiloSession(identity, endpoint, connection);
        }
        catch
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
            identity.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync().ConfigureAwait(false);
        await _endpoint.DisposeAsync().ConfigureAwait(false);
        _identity.Dispose();
    }
}
