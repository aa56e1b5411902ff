using Granary.Testing;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Granary.Orleans.Tests;

/// <summary>An Orleans silo in this process on 127.0.0.1 free ports, clustered, storing grain state and reminders through the ADO.NET providers on our schema.</summary>
public sealed class OrleansTestSilo : IAsyncDisposable
{
    /// <summary>The grain-storage provider name the test grains use.</summary>
    public const string StorageName = "granary";

    private readonly IHost _host;
    private bool _stopped;

    private OrleansTestSilo(IHost host) => _host = host;

    /// <summary>The silo's address (host:port@generation).</summary>
    public SiloAddress Address => _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>Grain references through this silo.</summary>
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>This silo's view of the cluster.</summary>
    public IClusterMembershipService Membership => _host.Services.GetRequiredService<IClusterMembershipService>();

    /// <summary>Starts a silo of cluster <paramref name="clusterId"/> on the database <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">The database.</param>
    /// <param name="clusterId">The cluster (Orleans' DeploymentId in the membership table).</param>
    /// <param name="log">Where the silo's warnings and errors go; none by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="fatal">Where Orleans' fatal errors go instead of failing the test process fast; null: Orleans' default.</param>
    /// <param name="tls">Certificates for silo-to-silo TLS (as a Granary silo uses them); null: plain TCP.</param>
    public static async Task<OrleansTestSilo> StartAsync(string connectionString, string clusterId, SiloLog? log = null, ClusterCertificates? tls = null, FatalErrorLog? fatal = null, CancellationToken cancellationToken = default)
    {
        int siloPort = FreePort();
        int gatewayPort = FreePort();
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "granary-tests";
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort, listenOnAnyHostAddress: false);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = OrleansSchema.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage(StorageName, o =>
            {
                o.Invariant = OrleansSchema.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = OrleansSchema.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            if (tls is not null)
            {
                silo.UseTls(tls.Silo, o =>
                {
                    o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (certificate, _, _) => tls.IsMember(certificate);
                });
            }
        });
        if (fatal is not null)
        {
            builder.Services.AddSingleton<IFatalErrorHandler>(fatal);
        }

        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new OrleansTestSilo(host);
    }

    /// <summary>Starts a silo alone, as <c>granary silo run</c> without <c>--cluster</c> configures it: localhost clustering, grain state and reminders in <paramref name="sqlitePath"/>.</summary>
    public static async Task<OrleansTestSilo> StartAloneAsync(string sqlitePath, SiloLog? log = null, CancellationToken cancellationToken = default)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: 0);
            silo.UseSqliteGrainState(StorageName, sqlitePath);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new OrleansTestSilo(host);
    }

    /// <summary>Stops the silo gracefully (it marks itself Dead in the membership table).</summary>
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
