using System.Net;

namespace Granary.Transport;

/// <summary>
/// Reuses one connection per (node, protocol), as iroh's pool does (seed 000): callers lease
/// it, concurrent first callers share one connect, a dead connection is replaced transparently
/// on the next lease, and idle ones are closed.
/// </summary>
public sealed class ConnectionPool : IAsyncDisposable
{
    private readonly QuicEndpoint _endpoint;
    private readonly ConnectionPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<(NodeId Node, string Protocol), Entry> _entries = [];
    private readonly ITimer _sweeper;
    private bool _disposed;

    /// <summary>A pool that connects through <paramref name="endpoint"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="ConnectionPoolOptions.Validate"/>).</exception>
    public ConnectionPool(QuicEndpoint endpoint, ConnectionPoolOptions? options = null, TimeProvider? time = null)
    {
        _endpoint = endpoint;
        _options = options ?? new ConnectionPoolOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        TimeSpan period = _options.IdleTimeout / 2;
        _sweeper = _time.CreateTimer(_ => SweepIdle(), null, period, period);
    }

    /// <summary>Connections currently held, live or not yet swept.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Leases the connection to <paramref name="node"/> for <paramref name="protocol"/>,
    /// connecting (or reconnecting, if the last one died) when needed. Dispose the lease when done.
    /// </summary>
    /// <exception cref="QuicException">The node could not be reached within the connect timeout.</exception>
    public async Task<PooledConnection> LeaseAsync(IPEndPoint address, NodeId node, string protocol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        while (true)
        {
            Entry entry;
            lock (_entries)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!_entries.TryGetValue((node, protocol), out entry!) || entry.IsDead)
                {
                    if (entry is not null)
                    {
                        _entries.Remove((node, protocol));
                        _ = entry.CloseAsync();
                    }

                    MakeRoomLocked();
                    entry = new Entry(ConnectAsync(address, node, protocol));
                    _entries[(node, protocol)] = entry;
                }

                entry.Leases++;
            }

            QuicConnection connection;
            try
            {
                connection = await entry.Connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_entries)
                {
                    entry.Leases--;
                    if (_entries.TryGetValue((node, protocol), out var current) && current == entry && entry.Connecting.IsFaulted)
                    {
                        _entries.Remove((node, protocol));
                    }
                }

                throw;
            }

            if (!connection.Closed.IsCompleted)
            {
                return new PooledConnection(connection, () => Release(entry));
            }

            // It died between connect and now: drop it and connect again.
            Release(entry);
        }
    }

    /// <summary>
    /// Closes and forgets every connection to <paramref name="node"/> (it died or restarted):
    /// requests waiting on them fail now instead of when the idle timeout notices, and the next
    /// lease connects afresh (perhaps to a new address).
    /// </summary>
    public void Evict(NodeId node)
    {
        List<Entry> evicted;
        lock (_entries)
        {
            var keys = _entries.Keys.Where(k => k.Node == node).ToList();
            evicted = [.. keys.Select(k => _entries[k])];
            foreach (var key in keys)
            {
                _entries.Remove(key);
            }
        }

        foreach (Entry entry in evicted)
        {
            _ = entry.CloseAsync();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Entry[] entries;
        lock (_entries)
        {
            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(entries.Select(e => e.CloseAsync())).ConfigureAwait(false);
    }

    private async Task<QuicConnection> ConnectAsync(IPEndPoint address, NodeId node, string protocol)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        try
        {
            return await _endpoint.ConnectAsync(address, node, protocol, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new QuicException(QuicError.ConnectionRefused, null,
                $"connecting to {node} at {address} failed: no answer within {_options.ConnectTimeout.TotalSeconds:0.#} s");
        }
    }

    private void Release(Entry entry)
    {
        lock (_entries)
        {
            entry.Leases--;
            entry.LastUsed = _time.GetTimestamp();
        }
    }

    private void MakeRoomLocked()
    {
        if (_entries.Count < _options.MaxConnections)
        {
            return;
        }

        var idle = _entries.Where(e => e.Value.Leases == 0).OrderBy(e => e.Value.LastUsed).FirstOrDefault();
        if (idle.Value is null)
        {
            throw new QuicException(QuicError.ConnectionRefused, null,
                $"the connection pool is full: all {_options.MaxConnections} connections are in use; raise MaxConnections or release leases");
        }

        _entries.Remove(idle.Key);
        _ = idle.Value.CloseAsync();
    }

    private void SweepIdle()
    {
        List<Entry> expired = [];
        lock (_entries)
        {
            foreach (var (key, entry) in _entries.ToList())
            {
                if (entry.IsDead || (entry.Leases == 0 && _time.GetElapsedTime(entry.LastUsed) >= _options.IdleTimeout))
                {
                    _entries.Remove(key);
                    expired.Add(entry);
                }
            }
        }

        foreach (Entry entry in expired)
        {
            _ = entry.CloseAsync();
        }
    }

    private sealed class Entry(Task<QuicConnection> connecting)
    {
        public Task<QuicConnection> Connecting { get; } = connecting;

        public int Leases { get; set; }

        public long LastUsed { get; set; } = TimeProvider.System.GetTimestamp();

        public bool IsDead => Connecting.IsFaulted || Connecting.IsCanceled ||
            (Connecting.IsCompletedSuccessfully && Connecting.Result.Closed.IsCompleted);

        public async Task CloseAsync()
        {
            try
            {
                QuicConnection connection = await Connecting.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (QuicException)
            {
                // It never connected: nothing to close.
            }
        }
    }
}
