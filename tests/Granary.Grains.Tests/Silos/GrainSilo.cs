using Granary.Testing;
using System.Net;
using System.Net.Sockets;
using Granary.Grains.Hosting;
using Granary.Grains.Placement;
using Granary.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;

namespace Granary.Grains.Tests.Silos;

/// <summary>
/// An Orleans silo in this process running Granary's grains, configured as <c>SiloHost.BuildHost</c>
/// configures a real one: cluster and service id "granary", grain storage <see cref="GrainStorage.Name"/>
/// (PostgreSQL through Orleans' ADO.NET providers on Granary's schema, or a lone silo's SQLite file),
/// the same membership timings and the <see cref="SiloKeyedPlacementDirector"/>. Only the blob
/// store, QUIC endpoint and repair service are left out (no test here activates a grain needing them).
/// </summary>
public sealed class GrainSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private GrainSilo(IHost host) => _host = host;

    /// <summary>The silo's Orleans address (host:port@generation).</summary>
    public SiloAddress Address => Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Grain references through this silo.</summary>
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>This silo's view of the cluster.</summary>
    public IClusterMembershipService Membership => Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>What this silo knows of the grain types each silo hosts.</summary>
    public IClusterManifestProvider Manifest => Services.GetRequiredService<IClusterManifestProvider>();

    /// <summary>The silo's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>A silo of a cluster on PostgreSQL (<c>granary silo run --cluster</c>, without TLS).</summary>
    public static Task<GrainSilo> StartClusteredAsync(string connectionString, SiloLog log) =>
        StartAsync(log, silo => silo
            .ConfigureEndpoints(IPAddress.Loopback, FreePort(), gatewayPort: 0, listenOnAnyHostAddress: false)
            .UseGranaryCluster(connectionString, certificates: null));

    /// <summary>A silo alone (<c>granary silo run</c> without --cluster): localhost clustering, grain state in <paramref name="grainsDatabase"/>.</summary>
    public static Task<GrainSilo> StartAloneAsync(string grainsDatabase, SiloLog log) =>
        StartAsync(log, silo => silo.UseGranaryAlone(FreePort(), grainsDatabase));

    /// <summary>Stops the silo gracefully (it leaves the membership).</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(timeout.Token);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }

    private static async Task<GrainSilo> StartAsync(SiloLog log, Action<ISiloBuilder> storage)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log);
        builder.UseOrleans(silo =>
        {
            silo.AddGranaryGrains();
            storage(silo);
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new GrainSilo(host);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
