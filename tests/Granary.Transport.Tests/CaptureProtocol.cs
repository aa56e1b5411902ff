using System.Buffers;
using Granary.Transport;

namespace Granary.Transport.Tests;

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
