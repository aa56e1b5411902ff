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
