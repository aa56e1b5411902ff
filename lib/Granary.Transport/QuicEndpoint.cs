using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Granary.Transport.Native;

namespace Granary.Transport;

/// <summary>
/// A bound UDP socket speaking QUIC: accepts connections for its protocols and connects to
/// other nodes. Shaped like System.Net.Quic's listener and connection factory in one.
/// </summary>
public sealed class QuicEndpoint : IAsyncDisposable
{
    private readonly ulong _handle;
    private readonly TimeSpan _connectTimeout;
    private readonly ConcurrentDictionary<QuicConnection, byte> _connections = new();
    private int _mayHavePeers;
    private int _closed;

    private QuicEndpoint(ulong handle, IPEndPoint local, NodeId id, TimeSpan connectTimeout)
    {
        _handle = handle;
        LocalEndPoint = local;
        NodeId = id;
        _connectTimeout = connectTimeout;
    }

    /// <summary>Where the endpoint listens (with the real port when bound to port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>This endpoint's node id: what peers pass to connect to it.</summary>
    public NodeId NodeId { get; }

    /// <summary>Connections of this endpoint that are not yet disposed.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds a new endpoint.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range (<see cref="QuicEndpointOptions.Validate"/>); the message names it.</exception>
    /// <exception cref="QuicException">The address cannot be bound; the message says which.</exception>
    public static unsafe QuicEndpoint Bind(QuicEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        NativeOperations.EnsureInitialised();
        var alpns = new List<byte>();
        foreach (string protocol in options.ApplicationProtocols)
        {
            byte[] name = Encoding.UTF8.GetBytes(protocol);
            alpns.Add((byte)name.Length);
            alpns.AddRange(name);
        }

        NativeMethods.TransportParams parameters = options.Transport.ToNative();
        byte[] bind = Encoding.UTF8.GetBytes(options.Bind.ToString());
        byte[] alpnBytes = [.. alpns];
        fixed (byte* bindPtr = bind)
        fixed (byte* certificate = options.Identity.CertificateDer)
        fixed (byte* key = options.Identity.PrivateKeyPkcs8)
        fixed (byte* alpnPtr = alpnBytes)
        {
            NativeOperations.Check(
                NativeMethods.EndpointCreate(
                    bindPtr, (nuint)bind.Length, certificate, (nuint)options.Identity.CertificateDer.Length,
                    key, (nuint)options.Identity.PrivateKeyPkcs8.Length, alpnPtr, (nuint)alpnBytes.Length, &parameters,
                    out ulong handle, out ushort port),
                $"binding {options.Bind}");
            return new QuicEndpoint(handle, new IPEndPoint(options.Bind.Address, port), options.Identity.Id, options.ConnectTimeout);
        }
    }

    /// <summary>Waits for the next connection whose handshake succeeded.</summary>
    /// <exception cref="QuicException">The endpoint was closed (<see cref="QuicError.EndpointClosed"/>).</exception>
    public async Task<QuicConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        // A server endpoint may hold handshakes the native side accepted and this side has not taken yet: its close waits for them.
        Volatile.Write(ref _mayHavePeers, 1);
        ThrowIfClosed();
        ulong connection = await NativeOperations.RunAsync(
            op => NativeMethods.EndpointAccept(_handle, op), "accepting a connection", cancellationToken).ConfigureAwait(false);
        return Track(QuicConnection.Create(connection, this));
    }

    /// <summary>
    /// Connects to node <paramref name="node"/> at <paramref name="address"/> for protocol
    /// <paramref name="applicationProtocol"/>. The handshake fails unless the peer proves it holds
    /// that node's key and accepts the protocol.
    /// </summary>
    /// <exception cref="QuicException">No answer within the connect timeout, wrong node, or protocol refused.</exception>
    public async Task<QuicConnection> ConnectAsync(IPEndPoint address, NodeId node, string applicationProtocol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ThrowIfClosed();
        byte[] target = Encoding.UTF8.GetBytes(address.ToString());
        byte[] alpn = Encoding.UTF8.GetBytes(applicationProtocol);
        NodeId? presented = null;
        ulong verifier = NativeOperations.RegisterVerifier(certificate =>
        {
            presented = NodeId.FromCertificate(certificate);
            return presented == node;
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            ulong connection = await NativeOperations.RunAsync(
                op => StartConnect(_handle, target, alpn, verifier, op),
                $"connecting to {node} at {address} ({applicationProtocol})",
                timeout.Token).ConfigureAwait(false);
            return Track(QuicConnection.Create(connection, this));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QuicException(QuicError.ConnectionRefused, null,
                $"connecting to {node} at {address} failed: no answer within {_connectTimeout.TotalSeconds:0.#} s (is a silo listening there?)");
        }
        catch (QuicException error) when (error.Error == QuicError.HandshakeFailed && presented is { } other && other != node)
        {
            throw new QuicException(QuicError.HandshakeFailed, null,
                $"connecting to {address} failed: the peer there is node {other}, not the expected {node}");
        }
        finally
        {
            NativeOperations.UnregisterVerifier(verifier);
        }
    }

    /// <summary>
    /// Closes gracefully: waits up to <paramref name="drainTimeout"/> for this endpoint's
    /// connections to be closed by their owners, then closes the rest with
    /// <paramref name="errorCode"/> and waits (up to 3 s) for the close to reach the peers — except
    /// on a client endpoint that never made a connection (its only connect failed), which has no
    /// peer to tell and closes at once.
    /// </summary>
    public async Task CloseAsync(long errorCode, string reason, TimeSpan drainTimeout, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        Task drained = Task.WhenAll(_connections.Keys.Select(c => c.Closed));
        await Task.WhenAny(drained, Task.Delay(drainTimeout, cancellationToken)).ConfigureAwait(false);
        CloseNative(_handle, errorCode, reason);
        if (Volatile.Read(ref _mayHavePeers) == 0)
        {
            // No connection was ever made (a client whose connect failed): there is no peer to tell,
            // and waiting for an abandoned handshake to go idle cost a failed connect 3 s more.
            return;
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await NativeOperations.RunAsync(op => NativeMethods.EndpointWaitIdle(_handle, op), "closing the endpoint", idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Peers that vanished never acknowledge the close; quinn stops retrying on its own.
        }
    }

    /// <summary>Closes immediately (code 0) and releases the native endpoint.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync(0, "endpoint disposed", TimeSpan.Zero).ConfigureAwait(false);
        foreach (QuicConnection connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _ = NativeMethods.Release(_handle);
    }

    private static unsafe int StartConnect(ulong endpoint, byte[] target, byte[] alpn, ulong verifier, ulong op)
    {
        fixed (byte* targetPtr = target)
        fixed (byte* alpnPtr = alpn)
        {
            return NativeMethods.EndpointConnect(endpoint, targetPtr, (nuint)target.Length, alpnPtr, (nuint)alpn.Length, verifier, op);
        }
    }

    private static unsafe void CloseNative(ulong endpoint, long errorCode, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        fixed (byte* reasonPtr = text)
        {
            NativeOperations.Check(NativeMethods.EndpointClose(endpoint, (ulong)errorCode, reasonPtr, (nuint)text.Length), "closing the endpoint");
        }
    }

    internal void Forget(QuicConnection connection) => _connections.TryRemove(connection, out _);

    private QuicConnection Track(QuicConnection connection)
    {
        Volatile.Write(ref _mayHavePeers, 1);
        _connections[connection] = 0;
        return connection;
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed) == 1)
        {
            throw new QuicException(QuicError.EndpointClosed, null, $"the endpoint {LocalEndPoint} is closed");
        }
    }
}
