using System.Net;
using Granary.Transport;

namespace Granary.Transport.Tests;

/// <summary>Real endpoints on 127.0.0.1: a router serving echo and source, and a client endpoint.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(ProtocolRouter server, QuicEndpoint client, NodeIdentity serverIdentity, NodeIdentity clientIdentity, CaptureProtocol capture)
    {
        Capture = capture;
        Server = server;
        Client = client;
        ServerIdentity = serverIdentity;
        ClientIdentity = clientIdentity;
    }

    public ProtocolRouter Server { get; }

    public CaptureProtocol Capture { get; } = new();

    public QuicEndpoint Client { get; }

    public NodeIdentity ServerIdentity { get; }

    public NodeIdentity ClientIdentity { get; }

    public IPEndPoint ServerAddress => Server.Endpoint.LocalEndPoint;

    public NodeId ServerId => Server.Endpoint.NodeId;

    public static TestCluster Start(QuicTransportOptions? transport = null, IPEndPoint? bind = null, NodeIdentity? serverIdentity = null)
    {
        serverIdentity ??= NodeIdentity.CreateEphemeral();
        var capture = new CaptureProtocol();
        var clientIdentity = NodeIdentity.CreateEphemeral();
        var server = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = serverIdentity, Bind = bind ?? new IPEndPoint(IPAddress.Loopback, 0), Transport = transport ?? new() },
            new Dictionary<string, IProtocolHandler> { [EchoProtocol.Alpn] = new EchoProtocol(), [SourceProtocol.Alpn] = new SourceProtocol(), [CaptureProtocol.Alpn] = capture });
        var client = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = clientIdentity, Transport = transport ?? new(), ConnectTimeout = TimeSpan.FromSeconds(2) });
        return new TestCluster(server, client, serverIdentity, clientIdentity, capture);
    }

    public Task<QuicConnection> ConnectAsync(string alpn = EchoProtocol.Alpn) => Client.ConnectAsync(ServerAddress, ServerId, alpn);

    /// <summary>Connects with the capture protocol and returns both ends of the connection.</summary>
    public async Task<(QuicConnection Client, QuicConnection Server)> ConnectCapturedAsync()
    {
        QuicConnection client = await ConnectAsync(CaptureProtocol.Alpn);
        QuicConnection server = await Capture.Accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return (client, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        ServerIdentity.Dispose();
        ClientIdentity.Dispose();
    }
}
