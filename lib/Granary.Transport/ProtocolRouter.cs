using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Transport;

/// <summary>
/// One endpoint, many protocols: handlers are registered by ALPN, the endpoint offers exactly
/// those (a peer asking for another is refused in the handshake), and an accept loop hands each
/// connection to its protocol's handler (as in iroh's router, seed 003).
/// </summary>
public sealed class ProtocolRouter : IAsyncDisposable
{
    /// <summary>The connection close code of a normal end: the work is done.</summary>
    public const long NoErrorCode = 0;

    /// <summary>The connection close code of a handler that failed (a bug; see the server's log).</summary>
    public const long InternalErrorCode = 1;

    /// <summary>
    /// The connection close code used when the router shuts down: the peer should retry later or
    /// on another server (like HTTP/2's GOAWAY), not treat what it got so far as complete.
    /// </summary>
    public const long ShutdownErrorCode = 2;

    private readonly QuicEndpoint _endpoint;
    private readonly TaskCompletionSource<IReadOnlyDictionary<string, IProtocolHandler>> _handlers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IReadOnlyCollection<string> _protocols;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Dictionary<QuicConnection, Task> _running = [];
    private readonly Task _acceptLoop;
    private int _stopped;

    private ProtocolRouter(QuicEndpoint endpoint, IReadOnlyCollection<string> protocols, ILogger logger)
    {
        _endpoint = endpoint;
        _protocols = protocols;
        _logger = logger;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The endpoint the router serves (to read its address and node id, or to connect out).</summary>
    public QuicEndpoint Endpoint => _endpoint;

    /// <summary>
    /// Binds an endpoint for exactly the registered protocols and starts accepting.
    /// <paramref name="options"/>' own protocol list is replaced by the handlers' keys.
    /// </summary>
    public static ProtocolRouter Start(QuicEndpointOptions options, IReadOnlyDictionary<string, IProtocolHandler> handlers, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handlers);
        if (handlers.Count == 0)
        {
            throw new ArgumentException("A router needs at least one protocol handler.", nameof(handlers));
        }

        ProtocolRouter router = Bind(options, [.. handlers.Keys], logger);
        router.Serve(handlers);
        return router;
    }

    /// <summary>
    /// Binds an endpoint for <paramref name="protocols"/> without serving yet: its address is
    /// known (port 0 resolved) before the handlers exist, which a host needs when the handlers
    /// depend on services configured with that address. Peers that connect before
    /// <see cref="Serve"/> wait in the endpoint's accept queue.
    /// </summary>
    /// <exception cref="ArgumentException">No protocols.</exception>
    /// <exception cref="QuicException">The address could not be bound.</exception>
    public static ProtocolRouter Bind(QuicEndpointOptions options, IReadOnlyCollection<string> protocols, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protocols);
        if (protocols.Count == 0)
        {
            throw new ArgumentException("A router needs at least one protocol.", nameof(protocols));
        }

        options.ApplicationProtocols = [.. protocols];
        return new ProtocolRouter(QuicEndpoint.Bind(options), protocols, logger ?? NullLogger.Instance);
    }

    /// <summary>Starts handing connections to <paramref name="handlers"/>, one for each protocol the router was bound for.</summary>
    /// <exception cref="ArgumentException">The handlers do not cover exactly the bound protocols.</exception>
    /// <exception cref="InvalidOperationException">Already serving.</exception>
    public void Serve(IReadOnlyDictionary<string, IProtocolHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        if (!handlers.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(_protocols))
        {
            throw new ArgumentException($"The handlers ({string.Join(", ", handlers.Keys)}) must be exactly the bound protocols ({string.Join(", ", _protocols)}).", nameof(handlers));
        }

        if (!_handlers.TrySetResult(handlers))
        {
            throw new InvalidOperationException("The router is already serving.");
        }
    }

    /// <summary>
    /// Stops accepting, tells handlers to stop, gives them <paramref name="timeout"/> to finish,
    /// then closes every remaining connection and the endpoint.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
        Task[] handlers;
        lock (_running)
        {
            handlers = [.. _running.Values];
        }

        Task all = Task.WhenAll(handlers);
        if (await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false) != all)
        {
            TransportLog.HandlersOverran(_logger, handlers.Count(t => !t.IsCompleted), timeout);
        }

        await _endpoint.CloseAsync(ShutdownErrorCode, "shutting down", TimeSpan.Zero).ConfigureAwait(false);
        await Task.WhenAll(handlers).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await _endpoint.DisposeAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        IReadOnlyDictionary<string, IProtocolHandler> handlers;
        try
        {
            handlers = await _handlers.Task.WaitAsync(_shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // shut down before serving
        }

        while (!_shutdown.IsCancellationRequested)
        {
            QuicConnection connection;
            try
            {
                connection = await _endpoint.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (QuicException error) when (error.Error == QuicError.EndpointClosed)
            {
                return;
            }

            // The handshake only admits registered protocols, so a handler is always found.
            IProtocolHandler handler = handlers[connection.ApplicationProtocol];
            lock (_running)
            {
                _running[connection] = ServeAsync(handler, connection);
            }
        }
    }

    private async Task ServeAsync(IProtocolHandler handler, QuicConnection connection)
    {
        await Task.Yield();
        try
        {
            await handler.HandleConnectionAsync(connection, _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Shutting down: the handler stopped as asked.
        }
        catch (QuicException error) when (error.Error is QuicError.ConnectionAborted or QuicError.ConnectionLost or QuicError.ConnectionIdle or QuicError.OperationAborted)
        {
            TransportLog.ConnectionEnded(_logger, connection, error.Message);
        }
#pragma warning disable CA1031 // A failing handler must not take down the router or other connections.
        catch (Exception error)
#pragma warning restore CA1031
        {
            TransportLog.HandlerFailed(_logger, error, connection.ApplicationProtocol, connection);
            connection.Close(InternalErrorCode, "internal error");
        }
        finally
        {
            if (_shutdown.IsCancellationRequested)
            {
                connection.Close(ShutdownErrorCode, "shutting down");
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            lock (_running)
            {
                _running.Remove(connection);
            }
        }
    }
}
