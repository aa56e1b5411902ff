using Granary.Blobs.Protocol;

namespace Granary.Grains.Cluster;

/// <summary>One member of Orleans' membership as Granary sees it.</summary>
/// <param name="Address">Orleans' silo address (host:port@generation): one incarnation.</param>
/// <param name="Ticket">Its QUIC node id and address (the Orleans silo name), what clients and other silos dial.</param>
/// <param name="Status">Orleans' membership status.</param>
/// <param name="Draining">Marked draining by an operator: serving, but no longer a placement target.</param>
public sealed record ClusterSilo(SiloAddress Address, SiloTicket Ticket, SiloStatus Status, bool Draining)
{
    /// <summary>True while the silo answers for its copies (Active, or shutting down gracefully).</summary>
    public bool IsServing => Status is SiloStatus.Active or SiloStatus.ShuttingDown;

    /// <summary>True if placement may put new copies here.</summary>
    public bool IsPlacementTarget => Status == SiloStatus.Active && !Draining;
}
