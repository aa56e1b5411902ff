using System.Buffers.Binary;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Transport.Tests;

/// <summary>Streams over real endpoints on 127.0.0.1: data, FIN, aborts, many streams, 1 GiB.</summary>
public sealed class StreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static async Task<byte[]> EchoAsync(QuicConnection connection, byte[] payload)
    {
        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        await stream.WriteAsync(payload);
        stream.CompleteWrites();
        using var reply = new MemoryStream();
        await stream.CopyToAsync(reply);
        return reply.ToArray();
    }

    [Fact]
    public async Task A_thousand_concurrent_streams_on_one_connection_each_get_their_own_bytes_back()
    {
        var random = TestRandom.For(nameof(A_thousand_concurrent_streams_on_one_connection_each_get_their_own_bytes_back));
        await using var cluster = TestCluster.Start();
        await using QuicConnection connection = await cluster.ConnectAsync();
        byte[][] payloads = Enumerable.Range(0, 1000).Select(i => TestRandom.Bytes(random, random.Next(1, 5000))).ToArray();
        byte[][] replies = await Task.WhenAll(payloads.Select(p => EchoAsync(connection, p))).WaitAsync(Patience);
        for (int i = 0; i < payloads.Length; i++)
        {
            Assert.True(payloads[i].AsSpan().SequenceEqual(replies[i]), $"stream {i} got someone else's bytes {TestRandom.Replay}");
        }
    }

    [Fact]
    public async Task One_GiB_over_one_stream_arrives_intact()
    {
        const long length = 1L << 30;
        await using var cluster = TestCluster.Start();
        await using QuicConnection connection = await cluster.ConnectAsync(SourceProtocol.Alpn);
        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        byte[] request = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(request, length);
        await stream.WriteAsync(request);
        stream.CompleteWrites();

        byte[] buffer = new byte[1 << 20];
        byte[] expected = new byte[buffer.Length];
        long received = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            SourceProtocol.Fill(expected.AsSpan(0, read), received);
            Assert.True(expected.AsSpan(0, read).SequenceEqual(buffer.AsSpan(0, read)), $"bytes differ in the piece at offset {received}");
            received += read;
        }

        Assert.Equal(length, received);
    }

    [Fact]
    public async Task FIN_is_seen_by_each_side_and_reads_after_it_keep_returning_zero()
    {
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream outbound = await client.OpenBidirectionalStreamAsync();
            await outbound.WriteAsync(new byte[] { 1, 2, 3 });
            outbound.CompleteWrites();

            await using QuicStream inbound = await server.AcceptBidirectionalStreamAsync().WaitAsync(Patience);
            byte[] got = new byte[10];
            Assert.Equal(3, await inbound.ReadAtLeastAsync(got, 3));
            Assert.Equal(0, await inbound.ReadAsync(got));
            Assert.Equal(0, await inbound.ReadAsync(got));

            // The server may still write after the client's FIN: the two directions are independent.
            await inbound.WriteAsync(new byte[] { 9 });
            inbound.CompleteWrites();
            await inbound.WritesClosed.WaitAsync(Patience);
            Assert.Equal(1, await outbound.ReadAsync(got));
            Assert.Equal(9, got[0]);
            Assert.Equal(0, await outbound.ReadAsync(got));

            var error = await Assert.ThrowsAsync<QuicException>(() => outbound.WriteAsync(new byte[] { 1 }).AsTask());
            Assert.Equal(QuicError.StreamClosed, error.Error);
        }
    }

    [Fact]
    public async Task Unidirectional_streams_carry_data_one_way()
    {
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream outbound = await client.OpenUnidirectionalStreamAsync();
            Assert.False(outbound.CanRead);
            await outbound.WriteAsync(new byte[] { 7, 7 });
            outbound.CompleteWrites();
            await using QuicStream inbound = await server.AcceptUnidirectionalStreamAsync().WaitAsync(Patience);
            Assert.False(inbound.CanWrite);
            using var got = new MemoryStream();
            await inbound.CopyToAsync(got);
            Assert.Equal(new byte[] { 7, 7 }, got.ToArray());
        }
    }

    [Fact]
    public async Task A_write_side_abort_reaches_the_readers_with_its_code()
    {
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream outbound = await client.OpenBidirectionalStreamAsync();
            await outbound.WriteAsync(new byte[100]);
            await using QuicStream inbound = await server.AcceptBidirectionalStreamAsync().WaitAsync(Patience);
            outbound.Abort(QuicAbortDirection.Write, 42);
            var error = await Assert.ThrowsAsync<QuicException>(async () =>
            {
                byte[] sink = new byte[4096];
                while (await inbound.ReadAsync(sink) > 0)
                {
                }
            }).WaitAsync(Patience);
            Assert.Equal((QuicError.StreamAborted, 42L), (error.Error, error.ApplicationErrorCode));

            // And from the server to the client.
            inbound.Abort(QuicAbortDirection.Write, 9);
            var back = await Assert.ThrowsAsync<QuicException>(async () => _ = await outbound.ReadAsync(new byte[10])).WaitAsync(Patience);
            Assert.Equal((QuicError.StreamAborted, 9L), (back.Error, back.ApplicationErrorCode));
        }
    }

    [Fact]
    public async Task A_reset_that_arrives_with_the_last_bytes_is_still_reported()
    {
        // Data and RESET_STREAM both arrive before the reader reads: the read returns the bytes
        // and the reset must not be lost (quinn reports it once; the top-up read had eaten it).
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream outbound = await client.OpenBidirectionalStreamAsync();
            await outbound.WriteAsync(new byte[100]);
            await using QuicStream inbound = await server.AcceptBidirectionalStreamAsync().WaitAsync(Patience);
            outbound.Abort(QuicAbortDirection.Write, 77);
            await Task.Delay(200);
            var error = await Assert.ThrowsAsync<QuicException>(async () =>
            {
                byte[] sink = new byte[1 << 20];
                while (await inbound.ReadAsync(sink) > 0)
                {
                }
            }).WaitAsync(Patience);
            Assert.Equal((QuicError.StreamAborted, 77L), (error.Error, error.ApplicationErrorCode));
        }
    }

    [Fact]
    public async Task A_read_side_abort_makes_the_writer_fail_with_its_code()
    {
        await using var cluster = TestCluster.Start();
        var (client, server) = await cluster.ConnectCapturedAsync();
        await using (client)
        {
            await using QuicStream outbound = await client.OpenBidirectionalStreamAsync();
            await outbound.WriteAsync(new byte[10]);
            await using QuicStream inbound = await server.AcceptBidirectionalStreamAsync().WaitAsync(Patience);
            inbound.Abort(QuicAbortDirection.Read, 7);
            var error = await Assert.ThrowsAsync<QuicException>(async () =>
            {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 100_000; i++)
                {
                    await outbound.WriteAsync(chunk);
                }
            }).WaitAsync(Patience);
            Assert.Equal((QuicError.StreamAborted, 7L), (error.Error, error.ApplicationErrorCode));
        }
    }
}
