using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Granary.Transport;

namespace Granary.Grains.Membership;

/// <summary>A silo incarnation's state in the membership table (Orleans' values, so the table reads the same).</summary>
public enum SiloStatus
{
    /// <summary>Inserted, not yet serving; owns nothing.</summary>
    Joining = 2,

    /// <summary>Serving and part of placement.</summary>
    Active = 3,

    /// <summary>Draining: still serving its data, but no longer part of placement; leaves when empty.</summary>
    ShuttingDown = 4,

    /// <summary>Declared dead by its peers, or left. Final: an incarnation never comes back.</summary>
    Dead = 6,
}

/// <summary>One silo's vote that <see cref="SiloEntry"/> does not answer probes.</summary>
public readonly record struct Suspicion(NodeId Voter, long AtMs);

/// <summary>One silo incarnation: a node id (from its key, stable across restarts) and a generation (its start).</summary>
public readonly record struct SiloIncarnation(NodeId Node, long Generation)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Node}/{Generation}";
}

/// <summary>A row of the membership table.</summary>
public sealed record SiloEntry(
    SiloIncarnation Incarnation,
    IPEndPoint Address,
    SiloStatus Status,
    ImmutableList<Suspicion> Suspicions,
    long StartedMs,
    long AliveMs,
    long ETag)
{
    /// <summary>The silo's node id (what placement ranks).</summary>
    public NodeId Node => Incarnation.Node;

    internal string SuspicionsText => string.Join(',', Suspicions.Select(s => $"{s.Voter}:{s.AtMs.ToString(CultureInfo.InvariantCulture)}"));

    internal static ImmutableList<Suspicion> ParseSuspicions(string text) =>
        text.Length == 0
            ? []
            : text.Split(',').Select(part =>
            {
                int colon = part.LastIndexOf(':');
                return new Suspicion(NodeId.Parse(part[..colon]), long.Parse(part[(colon + 1)..], CultureInfo.InvariantCulture));
            }).ToImmutableList();
}

/// <summary>The whole membership table as read at one table version.</summary>
public sealed record MembershipSnapshot(long Version, IReadOnlyList<SiloEntry> Silos)
{
    /// <summary>The silos that take part in placement.</summary>
    public IReadOnlyList<SiloEntry> Active => Silos.Where(s => s.Status == SiloStatus.Active).ToList();

    /// <summary>Silos that still serve data: active or draining.</summary>
    public IReadOnlyList<SiloEntry> Serving => Silos.Where(s => s.Status is SiloStatus.Active or SiloStatus.ShuttingDown).ToList();

    /// <summary>The row of <paramref name="incarnation"/>, if present.</summary>
    public SiloEntry? Find(SiloIncarnation incarnation) => Silos.FirstOrDefault(s => s.Incarnation == incarnation);

    /// <summary>The newest serving incarnation of <paramref name="node"/>, if any.</summary>
    public SiloEntry? FindServing(NodeId node) => Serving.Where(s => s.Node == node).MaxBy(s => s.Incarnation.Generation);
}
