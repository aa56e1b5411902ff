using System.Net;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Fuzz.Tests;

/// <summary>An authenticated <c>granary/blobs/1</c> connection to a silo, with its own endpoint and identity, as <see cref="LiveSiloFuzzTests"/> uses it to send raw frames.</summary>
internal sealed class LiveConnection : IAsyncDisposable
{
    private readonly NodeIdentity _identity;
    private readonly QuicEndpoint _endpoint;

    private LiveConnection(NodeIdentity identity, QuicEndpoint endpoint, QuicConnection quic) => (_identity, _endpoint, Quic) = (identity, endpoint, quic);

    /// <summary>The connection.</summary>
    public QuicConnection Quic { get; }

    /// <summary>Connects to <paramref name="silo"/> and authenticates with <paramref name="token"/> on a stream of its own.</summary>
    public static async Task<LiveConnection> OpenAsync(SiloTicket silo, string token)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var identity = NodeIdentity.CreateEphemeral();
        var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity, Bind = new IPEndPoint(IPAddress.Loopback, 0) });
        try
        {
            QuicConnection quic = await endpoint.ConnectAsync(silo.Address, silo.Node, BlobsProtocol.Alpn);
            await using (QuicStream stream = await quic.OpenBidirectionalStreamAsync())
            {
                await new AuthRequest(Encoding.UTF8.GetBytes(token)).WriteAsync(stream, CancellationToken.None);
                stream.CompleteWrites();
                _ = await BlobReply.ReadAsync<OkReply>(stream, CancellationToken.None);
            }

            return new LiveConnection(identity, endpoint, quic);
        }
        catch
        {
            await endpoint.DisposeAsync();
            identity.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Quic.DisposeAsync();
        await _endpoint.DisposeAsync();
        _identity.Dispose();
    }
}
