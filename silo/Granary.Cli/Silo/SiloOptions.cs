using System.Net;

namespace Granary.Cli.Silo;

/// <summary>Where a silo keeps its state and listens (from <c>granary silo run</c>'s options).</summary>
internal sealed class SiloOptions
{
    /// <summary>The data directory (blobs, node key, admin token, ticket, grain state of a silo alone).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The QUIC (UDP) address clients and silos dial.</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>The TCP port of Orleans' silo-to-silo messaging; null: the QUIC port's number (a free port when that is 0).</summary>
    public int? ClusterPort { get; init; }

    /// <summary>PostgreSQL connection string of the cluster; null runs alone (grain state in DATA/grains.db).</summary>
    public string? Cluster { get; init; }

    /// <summary>Where to serve the Orleans Dashboard (HTTP); null: not served (the default).</summary>
    public IPEndPoint? Dashboard { get; init; }

    /// <summary>Copies of every blob when this silo creates the cluster; null keeps the cluster's setting (default 2).</summary>
    public int? Replicas { get; init; }
}
