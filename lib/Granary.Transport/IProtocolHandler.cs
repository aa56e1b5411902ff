namespace Granary.Transport;

/// <summary>Serves one application protocol (ALPN) on the connections a <see cref="ProtocolRouter"/> hands it.</summary>
public interface IProtocolHandler
{
    /// <summary>
    /// Serves one connection until it is done. The router disposes the connection afterwards.
    /// <paramref name="shutdown"/> is cancelled when the router shuts down: finish or stop promptly.
    /// </summary>
    Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown);
}
