using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Granary.Transport;

namespace Granary.Transport.Tests;

/// <summary>Connections over real endpoints: close codes, refused handshakes, timeouts, shutdown.</summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_close_code_and_reason_reach_the_peer_and_fail_its_pending_reads()
    {
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream stream = await client.OpenBidirectionalStreamAsync();
            await stream.WriteAsync(new byte[1]);
            Task<int> pendingRead = stream.ReadAsync(new byte[10]).AsTask();

            server.Close(99, "bye for now");
            ConnectionCloseInfo closed = await client.Closed.WaitAsync(Patience);
            Assert.Equal((QuicError.ConnectionAborted, 99L, "bye for now"), (closed.Error, closed.ApplicationErrorCode, closed.Reason));
            var error = await Assert.ThrowsAsync<QuicException>(() => pendingRead).WaitAsync(Patience);
            Assert.Equal((QuicError.ConnectionAborted, 99L), (error.Error, error.ApplicationErrorCode));
            Assert.Equal(QuicError.OperationAborted, (await server.Closed).Error);
        }
    }

    [Fact]
    public async Task An_unknown_protocol_is_refused_in_the_handshake_and_the_server_carries_on()
    {
        await using var cluster = TestCluster.Start();
        var error = await Assert.ThrowsAsync<QuicException>(() => cluster.Client.ConnectAsync(cluster.ServerAddress, cluster.ServerId, "granary/nope/1"));
        Assert.Equal(QuicError.HandshakeFailed, error.Error);

        await using QuicConnection good = await cluster.ConnectAsync();
        Assert.Equal(EchoProtocol.Alpn, good.ApplicationProtocol);
    }

    [Fact]
    public async Task A_peer_that_is_not_the_expected_node_is_refused()
    {
        await using var cluster = TestCluster.Start();
        using var stranger = NodeIdentity.CreateEphemeral();
        var error = await Assert.ThrowsAsync<QuicException>(() => cluster.Client.ConnectAsync(cluster.ServerAddress, stranger.Id, EchoProtocol.Alpn));
        Assert.Equal(QuicError.HandshakeFailed, error.Error);
        Assert.Contains($"is node {cluster.ServerId}, not the expected {stranger.Id}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connecting_where_nothing_listens_fails_within_the_connect_timeout()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        await using var cluster = TestCluster.Start();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<QuicException>(() =>
            cluster.Client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cluster.ServerId, EchoProtocol.Alpn));
        Assert.Equal(QuicError.ConnectionRefused, error.Error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4));
        Assert.Contains("no answer within 2 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_whose_only_connect_failed_closes_at_once()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        // What BlobClient.ConnectAsync does when a silo does not answer: its endpoint is disposed.
        // Waiting for the abandoned handshake to go idle made that failure 3 s slower than its message said.
        using var identity = NodeIdentity.CreateEphemeral();
        var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity, ConnectTimeout = TimeSpan.FromSeconds(1) });
        await Assert.ThrowsAsync<QuicException>(() => endpoint.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), identity.Id, EchoProtocol.Alpn));
        var clock = Stopwatch.StartNew();
        await endpoint.DisposeAsync();
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Shutdown_with_open_streams_ends_the_handlers_and_closes_the_connections()
    {
        var cluster = TestCluster.Start();
        await using QuicConnection connection = await cluster.ConnectAsync();
        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        await stream.WriteAsync(new byte[1000]);
        byte[] echoed = new byte[1000];
        await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(Patience);

        var clock = Stopwatch.StartNew();
        await cluster.Server.ShutdownAsync(TimeSpan.FromSeconds(2)).WaitAsync(Patience);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
        ConnectionCloseInfo closed = await connection.Closed.WaitAsync(Patience);
        Assert.Equal(QuicError.ConnectionAborted, closed.Error);
        await Assert.ThrowsAsync<QuicException>(() => cluster.Server.Endpoint.AcceptAsync());
        await cluster.DisposeAsync();
    }

    [Fact]
    public void Transport_options_that_would_kill_idle_connections_are_refused()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var options = new QuicEndpointOptions
        {
            Identity = identity,
            Transport = new QuicTransportOptions { IdleTimeout = TimeSpan.FromSeconds(5), KeepAliveInterval = TimeSpan.FromSeconds(10) },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => QuicEndpoint.Bind(options));
        Assert.StartsWith("QuicTransportOptions.KeepAliveInterval is 00:00:10; it must be at least 1 ms and shorter than IdleTimeout (00:00:05)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binding_an_address_in_use_names_the_address()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        using var taken = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var address = (IPEndPoint)taken.Client.LocalEndPoint!;
        var error = Assert.Throws<QuicException>(() => QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity, Bind = address }));
        Assert.Contains(address.ToString(), error.Message, StringComparison.Ordinal);
    }
}
