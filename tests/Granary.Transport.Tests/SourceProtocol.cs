using System.Buffers;
using Granary.Transport;

namespace Granary.Transport.Tests;

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
