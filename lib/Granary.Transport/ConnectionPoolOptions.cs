namespace Granary.Transport;

/// <summary>Limits and timeouts of a <see cref="ConnectionPool"/>. Checked by <see cref="Validate"/> when the pool is created.</summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>How long a connect may take (applied on top of the endpoint's own timeout); positive, at most int.MaxValue milliseconds. Default: 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A connection nobody has leased for this long is closed (checked every half of it); positive, at most int.MaxValue milliseconds. Default: 30 s.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most connections open at once, at least 1; beyond it the least recently used idle one is closed. Default: 64.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>Throws if a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive or too long, or <see cref="MaxConnections"/> is below 1; the message names the option, its value and what is allowed.</exception>
    public void Validate()
    {
        TimeSpan max = QuicEndpointOptions.MaxTimeout;
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > max)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), $"ConnectionPoolOptions.ConnectTimeout is {ConnectTimeout}; it must be positive and at most {max}.");
        }

        if (IdleTimeout <= TimeSpan.Zero || IdleTimeout > max)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), $"ConnectionPoolOptions.IdleTimeout is {IdleTimeout}; it must be positive and at most {max}.");
        }

        if (MaxConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConnections), $"ConnectionPoolOptions.MaxConnections is {MaxConnections}; it must be at least 1.");
        }
    }
}
