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

    [Theory]
    [InlineData(1200)]
    [InlineData(QuicTransportOptions.MaxUdpPayloadSize)]
    public async Task A_megabyte_round_trips_at_either_end_of_the_packet_size_range(int payload)
    {
        await using var cluster = TestCluster.Start(new QuicTransportOptions { InitialMaxUdpPayloadSize = payload });
        await using QuicConnection connection = await cluster.ConnectAsync();
        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        byte[] message = new byte[1 << 20];
        new Random(payload).NextBytes(message);
        Task<byte[]> echoed = Task.Run(async () =>
        {
            using var reply = new MemoryStream();
            await stream.CopyToAsync(reply);
            return reply.ToArray();
        });
        await stream.WriteAsync(message);
        stream.CompleteWrites();
        Assert.Equal(message, await echoed.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
