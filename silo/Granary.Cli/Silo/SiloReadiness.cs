using Granary.Grains.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Granary.Cli.Silo;

/// <summary>
/// Readiness for container orchestrators (<c>/healthz/ready</c>): healthy while the silo serves
/// QUIC and is an active, non-draining member of its cluster; unhealthy while it starts, drains or
/// stops, so a load balancer sends clients elsewhere. Liveness (<c>/healthz/live</c>) has no check:
/// an answer at all means the process runs.
/// </summary>
internal sealed class SiloReadiness(ClusterView view) : IHealthCheck
{
    private volatile bool _serving;

    /// <summary>Set once the silo serves QUIC (it printed 'ready'), cleared when it starts stopping.</summary>
    public bool Serving
    {
        get => _serving;
        set => _serving = value;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_serving)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("not serving: the silo is starting or stopping"));
        }

        ClusterSilo? self = view.Silos.FirstOrDefault(s => s.Address.Equals(view.SelfAddress));
        return Task.FromResult(self switch
        {
            null => HealthCheckResult.Unhealthy("this silo is not in the cluster's membership yet"),
            { IsPlacementTarget: true } => HealthCheckResult.Healthy($"serving, {view.PlacementTargets.Count} active silos"),
            { Draining: true } => HealthCheckResult.Unhealthy("draining: its blobs are moving to other silos"),
            _ => HealthCheckResult.Unhealthy($"membership status {self.Status}"),
        });
    }
}
