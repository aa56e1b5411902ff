using System.Net;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Grains.Storage;
using Granary.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Grains.Tests;

/// <summary>A silo's grain runtime in this process: its own QUIC endpoint and key, the real database.</summary>
internal sealed class RuntimeSilo : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private RuntimeSilo(NodeIdentity identity, ClusterDatabase database, GrainRuntime runtime, ProtocolRouter router)
    {
        Identity = identity;
        Database = database;
        Runtime = runtime;
        Router = router;
    }

    public NodeIdentity Identity { get; }

    public ClusterDatabase Database { get; }

    public GrainRuntime Runtime { get; }

    public ProtocolRouter Router { get; }

    /// <summary>Faster than production so tests detect deaths in about two seconds.</summary>
    public static MembershipOptions FastMembership() => new()
    {
        RefreshInterval = TimeSpan.FromMilliseconds(250),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        ProbeInterval = TimeSpan.FromMilliseconds(250),
        ProbeTimeout = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<RuntimeSilo> StartAsync(Func<ClusterDatabase> database, MembershipOptions? membership = null, GrainRuntimeOptions? options = null)
    {
        var identity = NodeIdentity.CreateEphemeral();
        ClusterDatabase db = database();
        await db.EnsureSchemaAsync(CancellationToken.None);
        var runtime = new GrainRuntime(
            db, new SiloIncarnation(identity.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), options ?? new GrainRuntimeOptions(),
            membership ?? FastMembership(), NullLoggerFactory.Instance);
        runtime.AddGrainType(CounterGrain.TypeName, () => new CounterGrain());
        runtime.AddGrainType(TickerGrain.TypeName, () => new TickerGrain());
        var router = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = identity, Bind = new IPEndPoint(IPAddress.Loopback, 0) },
            new Dictionary<string, IProtocolHandler> { [GrainRuntime.Alpn] = runtime.CreateProtocolHandler() });
        var silo = new RuntimeSilo(identity, db, runtime, router);
        await runtime.StartAsync(router.Endpoint, router.Endpoint.LocalEndPoint, CancellationToken.None);
        silo._running = runtime.RunAsync(silo._stop.Token);
        return silo;
    }

    /// <summary>The runtime's loop, which ends with SiloDeclaredDeadException when the cluster declares it dead.</summary>
    public Task Running => _running;

    /// <summary>Stops without leaving the table, as a crash would (peers must detect it).</summary>
    public async Task CrashAsync()
    {
        await _stop.CancelAsync();
        await Router.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (Exception)
        {
            // Cancelled or declared dead: either way it is over.
        }

        try
        {
            await Runtime.StopAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // The database may be gone at the end of a test class.
        }

        await Router.DisposeAsync();
        await Runtime.DisposeAsync();
        await Database.DisposeAsync();
        Identity.Dispose();
        _stop.Dispose();
    }
}
