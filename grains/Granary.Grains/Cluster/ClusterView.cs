using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Grains.Cluster;

/// <summary>
/// This silo's view of the cluster: Orleans' membership (<see cref="IClusterMembershipService"/>)
/// joined with each silo's QUIC ticket (its Orleans silo name) and the draining marks of
/// <see cref="IClusterGrain"/>. Orleans decides who is alive; Granary decides where blobs go.
/// </summary>
public sealed class ClusterView(IClusterMembershipService membership, ILocalSiloDetails local)
{
    private volatile HashSet<SiloAddress> _draining = [];

    /// <summary>This silo's Orleans address.</summary>
    public SiloAddress SelfAddress => local.SiloAddress;

    /// <summary>This silo's QUIC ticket.</summary>
    public SiloTicket Self => SiloTicket.Parse(local.Name);

    /// <summary>The membership version this view was read at.</summary>
    public long Version => membership.CurrentSnapshot.Version.Value;

    /// <summary>Every silo in the membership table, dead ones included (until Orleans cleans them up).</summary>
    public IReadOnlyList<ClusterSilo> Silos
    {
        get
        {
            HashSet<SiloAddress> draining = _draining;
            var silos = new List<ClusterSilo>();
            foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
            {
                if (TryTicket(member.Name, out SiloTicket? ticket))
                {
                    silos.Add(new ClusterSilo(member.SiloAddress, ticket, member.Status, draining.Contains(member.SiloAddress)));
                }
            }

            return silos;
        }
    }

    /// <summary>Active silos that are not draining: where placement may put copies.</summary>
    public IReadOnlyList<ClusterSilo> PlacementTargets => [.. Silos.Where(s => s.IsPlacementTarget)];

    /// <summary>The serving incarnation of node <paramref name="node"/>, if any (the newest, if Orleans still lists an old one).</summary>
    public ClusterSilo? FindServing(NodeId node) =>
        Silos.Where(s => s.IsServing && s.Ticket.Node == node).MaxBy(s => s.Address.Generation);

    /// <summary>True if <paramref name="node"/> is a member silo that is not dead.</summary>
    public bool IsMember(NodeId node) => Silos.Any(s => s.Ticket.Node == node && s.Status != SiloStatus.Dead);

    /// <summary>Replaces the draining marks (read from <see cref="IClusterGrain"/>).</summary>
    public void SetDraining(IEnumerable<SiloAddress> draining) => _draining = [.. draining];

    /// <summary>True if this silo is marked draining.</summary>
    public bool SelfDraining => _draining.Contains(SelfAddress);

    private static bool TryTicket(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SiloTicket? ticket)
    {
        ticket = null;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        try
        {
            ticket = SiloTicket.Parse(name);
            return true;
        }
        catch (FormatException)
        {
            return false; // not a Granary silo
        }
    }
}
