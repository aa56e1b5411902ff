namespace Granary.Testing;

/// <summary>One real PostgreSQL server per test class (xunit class fixture); each test takes a fresh database from it.</summary>
public sealed class PostgresFixture : Xunit.IAsyncLifetime
{
    private PostgresServer? _server;

    /// <summary>The running server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
