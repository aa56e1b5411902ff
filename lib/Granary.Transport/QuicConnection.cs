using System.Net;
using System.Text;
using Granary.Transport.Native;

namespace Granary.Transport;

/// <summary>
/// A QUIC connection to one node: opens and accepts streams, knows the peer's node id and the
/// negotiated protocol, and reports how it ended through <see cref="Closed"/>.
/// </summary>
public sealed class QuicConnection : IAsyncDisposable
{
    private readonly ulong _handle;
    private readonly QuicEndpoint _endpoint;
    private int _disposed;

    private QuicConnection(ulong handle, QuicEndpoint endpoint, IPEndPoint remote, string protocol, NodeId remoteNode)
    {
        _handle = handle;
        _endpoint = endpoint;
        RemoteEndPoint = remote;
        ApplicationProtocol = protocol;
        RemoteNodeId = remoteNode;
        TransportMetrics.Connection(protocol, +1);
        Closed = WatchCloseAsync();
    }

    /// <summary>The peer's address.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The peer's node id, proven by the handshake: what later layers authorise by.</summary>
    public NodeId RemoteNodeId { get; }

    /// <summary>The protocol (ALPN) both sides agreed on.</summary>
    public string ApplicationProtocol { get; }

    /// <summary>Completes when the connection has ended, saying why. Never faults.</summary>
    public Task<ConnectionCloseInfo> Closed { get; }

    internal static QuicConnection Create(ulong handle, QuicEndpoint endpoint)
    {
        string remote = Encoding.UTF8.GetString(Info(handle, 0));
        string protocol = Encoding.UTF8.GetString(Info(handle, 1));
        NodeId node = NodeId.FromCertificate(Info(handle, 2));
        return new QuicConnection(handle, endpoint, IPEndPoint.Parse(remote), protocol, node);
    }

    /// <summary>Opens a stream both sides can write. Waits while the peer's stream limit is reached.</summary>
    public async Task<QuicStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await NativeOperations.RunAsync(op => NativeMethods.ConnectionOpenBidirectional(_handle, op), "opening a stream", cancellationToken).ConfigureAwait(false), ApplicationProtocol, canRead: true, canWrite: true);

    /// <summary>Opens a stream only this side writes.</summary>
    public async Task<QuicStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await NativeOperations.RunAsync(op => NativeMethods.ConnectionOpenUnidirectional(_handle, op), "opening a stream", cancellationToken).ConfigureAwait(false), ApplicationProtocol, canRead: false, canWrite: true);

    /// <summary>Waits for the peer to open a bidirectional stream.</summary>
    public async Task<QuicStream> AcceptBidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await NativeOperations.RunAsync(op => NativeMethods.ConnectionAcceptBidirectional(_handle, op), "accepting a stream", cancellationToken).ConfigureAwait(false), ApplicationProtocol, canRead: true, canWrite: true);

    /// <summary>
    /// The server side of a request-per-stream protocol: accepts bidirectional streams until the
    /// connection closes or <paramref name="shutdown"/>, runs <paramref name="serve"/> for each
    /// (concurrently), and returns once every one of them has finished.
    /// </summary>
    public async Task ServeStreamsAsync(Func<QuicStream, Task> serve, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(serve);
        var requests = new List<Task>();
        while (!shutdown.IsCancellationRequested)
        {
            QuicStream stream;
            try
            {
                stream = await AcceptBidirectionalStreamAsync(shutdown).ConfigureAwait(false);
            }
            catch (QuicException)
            {
                break;
            }

            requests.RemoveAll(t => t.IsCompleted);
            requests.Add(serve(stream));
        }

        await Task.WhenAll(requests).ConfigureAwait(false);
    }

    /// <summary>Waits for the peer to open a unidirectional stream.</summary>
    public async Task<QuicStream> AcceptUnidirectionalStreamAsync(CancellationToken cancellationToken = default) =>
        new(await NativeOperations.RunAsync(op => NativeMethods.ConnectionAcceptUnidirectional(_handle, op), "accepting a stream", cancellationToken).ConfigureAwait(false), ApplicationProtocol, canRead: true, canWrite: false);

    /// <summary>
    /// Closes the connection with an application error code and reason. Streams stop at once;
    /// data not yet delivered is lost, so finish streams first for a clean end.
    /// </summary>
    public unsafe void Close(long errorCode, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        fixed (byte* reasonPtr = text)
        {
            // A connection already released or closed has nothing left to close.
            _ = NativeMethods.ConnectionClose(_handle, (ulong)errorCode, reasonPtr, (nuint)text.Length);
        }
    }

    /// <summary>Closes (code 0) if still open, waits briefly for the close to be noted, and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Close(0, "closed");
        await Closed.ConfigureAwait(false);
        _ = NativeMethods.Release(_handle);
        _endpoint.Forget(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{RemoteNodeId} at {RemoteEndPoint} ({ApplicationProtocol})";

    private static unsafe byte[] Info(ulong handle, uint what)
    {
        byte[] buffer = new byte[8192];
        fixed (byte* data = buffer)
        {
            NativeOperations.Check(NativeMethods.ConnectionInfo(handle, what, data, (nuint)buffer.Length, out nuint length), "reading connection details");
            return buffer[..(int)length];
        }
    }

    private async Task<ConnectionCloseInfo> WatchCloseAsync()
    {
        var result = await NativeOperations.StartAsync(op => NativeMethods.ConnectionClosed(_handle, op), "watching the connection", CancellationToken.None).ConfigureAwait(false);
        QuicException error = NativeOperations.ToException(result.Status, result.Value, result.Message, "the connection");
        TransportMetrics.Connection(ApplicationProtocol, -1);
        return new ConnectionCloseInfo(error.Error, error.ApplicationErrorCode, result.Message);
    }
}
