using Granary.Grains.Placement;
using Granary.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Granary.Grains.Hosting;

/// <summary>
/// How a Granary silo configures Orleans, in one place for the silo host and the tests that start
/// real silos: the cluster's ids and liveness settings, the placement director Granary's grains
/// need, and the two ways of keeping state (a cluster on PostgreSQL, or a silo alone on SQLite).
/// Endpoints are the caller's (they depend on the silo's addresses).
/// </summary>
public static class GranarySiloBuilderExtensions
{
    /// <summary>The Orleans cluster and service id of every Granary cluster.</summary>
    public const string ClusterId = "granary";

    /// <summary>
    /// Cluster and service id <see cref="ClusterId"/>, the liveness settings, and the
    /// <see cref="SiloKeyedPlacementDirector"/>. Liveness as measured here (design.md): ProbeTimeout
    /// 1 s and 2 missed probes declare a <c>kill -9</c>ed silo dead in ~1.4 s and a frozen one in ~8.5 s
    /// (Orleans' defaults: ~14 s and ~60 s).
    /// </summary>
    public static ISiloBuilder AddGranaryGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = ClusterId;
            o.ServiceId = ClusterId;
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Services.AddPlacementDirector<SiloKeyedPlacement, SiloKeyedPlacementDirector>();
        return silo;
    }

    /// <summary>
    /// A silo of a cluster on PostgreSQL: Orleans' ADO.NET clustering, grain storage
    /// <see cref="GrainStorage.Name"/> and reminders on Granary's schema (<see cref="OrleansSchema"/>),
    /// and, with <paramref name="certificates"/>, silo-to-silo TLS that admits only silos whose
    /// certificate chains to the cluster's authority.
    /// </summary>
    public static ISiloBuilder UseGranaryCluster(this ISiloBuilder silo, string connectionString, ClusterCertificates? certificates)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = OrleansSchema.Invariant;
            o.ConnectionString = connectionString;
        });
        if (certificates is not null)
        {
            silo.UseTls(certificates.Silo, o =>
            {
                o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
                o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                o.RemoteCertificateValidation = (certificate, _, _) => certificates.IsMember(certificate);
            });
        }

        return silo;
    }

    /// <summary>A silo alone: localhost clustering on <paramref name="siloPort"/>, grain state and reminders in <paramref name="grainsDatabase"/> (SQLite).</summary>
    public static ISiloBuilder UseGranaryAlone(this ISiloBuilder silo, int siloPort, string grainsDatabase)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0);
        return silo.UseSqliteGrainState(GrainStorage.Name, grainsDatabase);
    }
}
