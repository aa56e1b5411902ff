namespace Granary.Transport;

/// <summary>Limits and timeouts of a <see cref="ConnectionPool"/>.</summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>How long a connect may take (applied on top of the endpoint's own timeout).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection nobody has leased for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most connections open at once; beyond it the least recently used idle one is closed.</summary>
    public int MaxConnections { get; set; } = 64;
}
