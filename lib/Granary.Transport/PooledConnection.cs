namespace Granary.Transport;

/// <summary>A leased pooled connection: use <see cref="Connection"/>, then dispose the lease (not the connection).</summary>
public sealed class PooledConnection : IDisposable
{
    private Action? _release;

    internal PooledConnection(QuicConnection connection, Action release)
    {
        Connection = connection;
        _release = release;
    }

    /// <summary>The shared connection.</summary>
    public QuicConnection Connection { get; }

    /// <summary>Returns the lease to the pool.</summary>
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
