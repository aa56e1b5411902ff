using System.Net;
using Granary.Transport;
using Granary.Transport.Native;

namespace Granary.Transport.Tests;

public sealed class PoolAndLeakTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_pool_reuses_one_connection_per_node_and_protocol()
    {
        await using var cluster = TestCluster.Start();
        await using var pool = new ConnectionPool(cluster.Client);
        Task<PooledConnection>[] concurrent = Enumerable.Range(0, 10)
            .Select(_ => pool.LeaseAsync(cluster.ServerAddress, cluster.ServerId, EchoProtocol.Alpn)).ToArray();
        PooledConnection[] leases = await Task.WhenAll(concurrent);
        Assert.Single(leases.Select(l => l.Connection).Distinct());
        using (PooledConnection other = await pool.LeaseAsync(cluster.ServerAddress, cluster.ServerId, SourceProtocol.Alpn))
        {
            Assert.NotSame(leases[0].Connection, other.Connection);
        }

        Assert.Equal(2, pool.Count);
        foreach (PooledConnection lease in leases)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task The_pool_replaces_a_connection_that_died_when_the_server_restarted()
    {
        using var serverIdentity = NodeIdentity.CreateEphemeral();
        var first = TestCluster.Start(serverIdentity: serverIdentity);
        IPEndPoint address = first.ServerAddress;
        await using var pool = new ConnectionPool(first.Client);
        QuicConnection before;
        using (PooledConnection lease = await pool.LeaseAsync(address, serverIdentity.Id, EchoProtocol.Alpn))
        {
            before = lease.Connection;
        }

        // The server goes away and comes back on the same address with the same identity.
        await first.Server.DisposeAsync();
        await before.Closed.WaitAsync(Patience);
        await using var restarted = await StartAgainAsync(serverIdentity, address);

        using (PooledConnection lease = await pool.LeaseAsync(address, serverIdentity.Id, EchoProtocol.Alpn))
        {
            Assert.NotSame(before, lease.Connection);
            await using QuicStream stream = await lease.Connection.OpenBidirectionalStreamAsync();
            await stream.WriteAsync(new byte[] { 5 });
            stream.CompleteWrites();
            byte[] got = new byte[1];
            await stream.ReadExactlyAsync(got);
            Assert.Equal(5, got[0]);
        }

        await first.Client.DisposeAsync();
    }

    /// <summary>
    /// The old endpoint's socket is released by its I/O task shortly after dispose returns (as a
    /// restarted process would find it after the old one exited): retry the bind for a moment.
    /// </summary>
    private static async Task<ProtocolRouter> StartAgainAsync(NodeIdentity identity, IPEndPoint address)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return ProtocolRouter.Start(
                    new QuicEndpointOptions { Identity = identity, Bind = address },
                    new Dictionary<string, IProtocolHandler> { [EchoProtocol.Alpn] = new EchoProtocol() });
            }
            catch (QuicException error) when (attempt < 50 && error.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Idle_connections_are_closed_and_a_full_pool_says_so()
    {
        await using var cluster = TestCluster.Start();
        await using var pool = new ConnectionPool(cluster.Client, new ConnectionPoolOptions { IdleTimeout = TimeSpan.FromMilliseconds(300), MaxConnections = 1 });
        QuicConnection idle;
        using (PooledConnection lease = await pool.LeaseAsync(cluster.ServerAddress, cluster.ServerId, EchoProtocol.Alpn))
        {
            idle = lease.Connection;
            var full = await Assert.ThrowsAsync<QuicException>(() => pool.LeaseAsync(cluster.ServerAddress, cluster.ServerId, SourceProtocol.Alpn));
            Assert.Contains("pool is full", full.Message, StringComparison.Ordinal);
        }

        await idle.Closed.WaitAsync(Patience);
        Assert.Equal(0, pool.Count);
    }

    private static async Task WaitForHandlesAsync(ulong endpoints)
    {
        using var timeout = new CancellationTokenSource(Patience);
        (ulong E, ulong C, ulong S) counts = default;
        while (!timeout.IsCancellationRequested)
        {
            NativeOperations.Check(NativeMethods.HandleCounts(out counts.E, out counts.C, out counts.S), "counting handles");
            if (counts == (endpoints, 0UL, 0UL))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"native handles did not return to ({endpoints} endpoints, 0 connections, 0 streams): {counts}");
    }

    [Fact]
    public async Task Ten_thousand_streams_and_five_hundred_connections_leave_no_native_handles_behind()
    {
        await using (var cluster = TestCluster.Start())
        {
            await using (QuicConnection connection = await cluster.ConnectAsync())
            {
                for (int batch = 0; batch < 100; batch++)
                {
                    await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
                    {
                        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
                        await stream.WriteAsync(new byte[] { (byte)i });
                        stream.CompleteWrites();
                        byte[] got = new byte[1];
                        await stream.ReadExactlyAsync(got);
                        Assert.Equal((byte)i, got[0]);
                    }));
                }
            }

            for (int batch = 0; batch < 50; batch++)
            {
                QuicConnection[] connections = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => cluster.ConnectAsync()));
                foreach (QuicConnection connection in connections)
                {
                    await connection.DisposeAsync();
                }
            }

            // Only the two endpoints remain once both sides have let go of their connections.
            await WaitForHandlesAsync(endpoints: 2);
        }

        await WaitForHandlesAsync(endpoints: 0);
    }
}
