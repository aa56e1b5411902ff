using System.Net;
using Granary.Grains.Blobs;
using Granary.Storage.Scrub;

namespace Granary.Cli.Silo;

/// <summary>
/// Where a silo keeps its state and listens (from <c>granary silo run</c>'s options). Checked by
/// <see cref="Validate"/> when the silo starts (<see cref="SiloHost.RunAsync"/>); the command line
/// already refuses bad values, this covers silos started from code.
/// </summary>
internal sealed class SiloOptions
{
    /// <summary>The data directory (blobs, node key, admin token, ticket, grain state of a silo alone). Required, not empty; <c>--data</c>, default <c>.granary</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The QUIC (UDP) address clients and silos dial, port 0 = any free port. Required; <c>--listen</c>, default 127.0.0.1:4433.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>The TCP port of Orleans' silo-to-silo messaging, 1 to 65535. Default: null, the QUIC port's number (a free port when that is 0).</summary>
    public int? ClusterPort { get; init; }

    /// <summary>PostgreSQL connection string of the cluster, not blank. Default: null, the silo runs alone (grain state in DATA/grains.db).</summary>
    public string? Cluster { get; init; }

    /// <summary>Where to serve the Orleans Dashboard (HTTP), port 1 to 65535. Default: null, not served.</summary>
    public IPEndPoint? Dashboard { get; init; }

    /// <summary>Where to serve Prometheus metrics (<c>/metrics</c>) and health (<c>/healthz/live</c>, <c>/healthz/ready</c>) over HTTP, port 1 to 65535, not the dashboard's. Default: null, not served.</summary>
    public IPEndPoint? Metrics { get; init; }

    /// <summary>Copies of every blob when this silo creates the cluster, 1 to <see cref="BlobClusterOptions.MaxReplicas"/>. Default: null, the cluster's setting (2 for a new cluster).</summary>
    public int? Replicas { get; init; }

    /// <summary>How long a channel this silo sends on may see no request or completion before it fails (<c>--transfer-inactivity-timeout</c>); default 30 min.</summary>
    public TimeSpan TransferInactivityTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The background scrub's pace and interval (<c>--scrub-rate</c>, <c>--scrub-interval</c>); defaults 16 MiB/s and 7 days (<see cref="ScrubOptions"/>).</summary>
    public ScrubOptions Scrub { get; init; } = new();

    /// <summary>Assemblies with the operator's own voucher validators (<c>--voucher-validator</c>); none by default.</summary>
    public IReadOnlyList<string> VoucherValidators { get; init; } = [];

    /// <summary>Throws if a value is missing or out of range.</summary>
    /// <exception cref="ArgumentException">A missing or blank value, or a port or replica count out of range; the message names the option, its value and what is allowed.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException($"SiloOptions.DataDirectory (--data) is '{DataDirectory}'; it must name the silo's data directory.", nameof(DataDirectory));
        }

        if (Listen is null)
        {
            throw new ArgumentException("SiloOptions.Listen (--listen) is null; it must be an IP address and port (port 0 = any free port).", nameof(Listen));
        }

        if (ClusterPort is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(ClusterPort), $"SiloOptions.ClusterPort (--cluster-port) is {ClusterPort}; it must be 1 to 65535, or null for the QUIC port's number.");
        }

        if (Cluster is not null && string.IsNullOrWhiteSpace(Cluster))
        {
            throw new ArgumentException($"SiloOptions.Cluster (--cluster) is '{Cluster}'; it must be a PostgreSQL connection string, or null to run alone.", nameof(Cluster));
        }

        if (Dashboard is { Port: 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(Dashboard), $"SiloOptions.Dashboard (--dashboard) is {Dashboard}; its port must be 1 to 65535, or the whole option null for no dashboard.");
        }

        if (Metrics is { Port: 0 })
        {
            throw new ArgumentOutOfRangeException(nameof(Metrics), $"SiloOptions.Metrics (--metrics) is {Metrics}; its port must be 1 to 65535, or the whole option null for no metrics.");
        }

        // Orleans' TCP port (--cluster-port, default the QUIC port's number) is taken before the HTTP listener starts.
        int? clusterTcp = ClusterPort ?? (Listen.Port == 0 ? null : Listen.Port);
        foreach ((string option, IPEndPoint? endpoint) in new[] { ("--metrics", Metrics), ("--dashboard", Dashboard) })
        {
            if (endpoint is not null && endpoint.Port == clusterTcp)
            {
                throw new ArgumentException(
                    $"SiloOptions ({option} {endpoint}) uses TCP port {endpoint.Port}, which the silo's cluster messaging takes (--cluster-port, default the --listen port's number); give it another port.", option == "--metrics" ? nameof(Metrics) : nameof(Dashboard));
            }
        }

        if (Metrics is not null && Dashboard is not null && Metrics.Port == Dashboard.Port)
        {
            throw new ArgumentException($"SiloOptions.Metrics (--metrics {Metrics}) and Dashboard (--dashboard {Dashboard}) share port {Metrics.Port}; give each its own port.", nameof(Metrics));
        }

        ArgumentNullException.ThrowIfNull(Scrub, nameof(Scrub));
        Scrub.Validate();

        if (Replicas is < 1 or > BlobClusterOptions.MaxReplicas)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), $"SiloOptions.Replicas (--replicas) is {Replicas}; it must be 1 to {BlobClusterOptions.MaxReplicas}, or null for the cluster's setting.");
        }
    }
}
