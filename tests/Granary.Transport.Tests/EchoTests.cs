using System.Text;
using Granary.Transport;

namespace Granary.Transport.Tests;

public sealed class EchoTests
{
    [Fact]
    public async Task Echo_round_trips_one_stream_and_the_server_learns_the_client_node_id()
    {
        await using var cluster = TestCluster.Start();
        await using QuicConnection connection = await cluster.ConnectAsync();
        Assert.Equal(EchoProtocol.Alpn, connection.ApplicationProtocol);
        Assert.Equal(cluster.ServerId, connection.RemoteNodeId);

        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        byte[] message = Encoding.UTF8.GetBytes("hello, granary");
        await stream.WriteAsync(message);
        stream.CompleteWrites();
        using var reply = new MemoryStream();
        await stream.CopyToAsync(reply);
        Assert.Equal(message, reply.ToArray());
        Assert.Equal(0, await stream.ReadAsync(new byte[10]));
    }
}
