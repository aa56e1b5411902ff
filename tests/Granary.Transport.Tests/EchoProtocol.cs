using System.Buffers;
using Granary.Transport;

namespace Granary.Transport.Tests;

/// <summary>Seed 003's echo protocol: every bidirectional stream gets back what was sent on it, then FIN.</summary>
internal sealed class EchoProtocol : IProtocolHandler
{
    public const string Alpn = "granary/echo/1";

    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        var streams = new List<Task>();
        while (true)
        {
            QuicStream stream;
            try
            {
                stream = await connection.AcceptBidirectionalStreamAsync(shutdown);
            }
            catch (QuicException)
            {
                break; // the peer closed the connection
            }

            streams.Add(EchoAsync(stream, shutdown));
        }

        await Task.WhenAll(streams);
    }

    private static async Task EchoAsync(QuicStream stream, CancellationToken shutdown)
    {
        await using (stream)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, shutdown)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), shutdown);
                }

                stream.CompleteWrites();
                await stream.WritesClosed;
            }
            catch (QuicException)
            {
                // Aborted by the peer or the connection ended: nothing to echo.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

/// <summary>Writes a deterministic byte pattern of the length the client asks for (8 bytes, little-endian), then FIN.</summary>
internal sealed class SourceProtocol : IProtocolHandler
{
    public const string Alpn = "granary/source/1";

    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        while (true)
        {
            QuicStream stream;
            try
            {
                stream = await connection.AcceptBidirectionalStreamAsync(shutdown);
            }
            catch (QuicException)
            {
                return;
            }

            _ = ServeAsync(stream, shutdown);
        }
    }

    public static void Fill(Span<byte> buffer, long offset)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            long position = offset + i;
            buffer[i] = (byte)((position * 31) ^ (position >> 11));
        }
    }

    private static async Task ServeAsync(QuicStream stream, CancellationToken shutdown)
    {
        await using (stream)
        {
            byte[] request = new byte[8];
            await stream.ReadExactlyAsync(request, shutdown);
            long length = BitConverter.ToInt64(request);
            byte[] buffer = new byte[1 << 20];
            for (long sent = 0; sent < length;)
            {
                int n = (int)Math.Min(buffer.Length, length - sent);
                Fill(buffer.AsSpan(0, n), sent);
                await stream.WriteAsync(buffer.AsMemory(0, n), shutdown);
                sent += n;
            }

            stream.CompleteWrites();
            await stream.WritesClosed;
        }
    }
}

/// <summary>Hands every accepted connection to the test, which drives the server side itself.</summary>
internal sealed class CaptureProtocol : IProtocolHandler
{
    public const string Alpn = "granary/capture/1";

    public System.Threading.Channels.Channel<QuicConnection> Accepted { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<QuicConnection>();

    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        await Accepted.Writer.WriteAsync(connection, shutdown);
        await connection.Closed.WaitAsync(shutdown);
    }
}
