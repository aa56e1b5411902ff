using System.Text;
using Granary.Grains.Membership;
using Granary.Hashing;

namespace Granary.Grains.Runtime;

/// <summary>
/// Rendezvous (highest random weight) hashing: every silo scores each key with
/// BLAKE3(key, node id) and the highest score wins. Any two silos with the same view agree without
/// talking, and when a silo joins or leaves only the keys it wins or held move (about 1/n of them).
/// </summary>
public static class Placement
{
    /// <summary><paramref name="silos"/> ordered from the best to the worst home for <paramref name="key"/>.</summary>
    public static IReadOnlyList<SiloEntry> Rank(string key, IEnumerable<SiloEntry> silos) =>
        silos.Select(s => (Silo: s, Score: Score(key, s)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Silo.Node.ToString(), StringComparer.Ordinal)
            .Select(x => x.Silo)
            .ToList();

    /// <summary>The silo that owns <paramref name="grain"/>'s activation: the top-ranked active silo; null when there is none.</summary>
    public static SiloEntry? Owner(GrainId grain, MembershipSnapshot view) => Rank(grain.ToString(), view.Active) is [var first, ..] ? first : null;

    private static ulong Score(string key, SiloEntry silo)
    {
        Blake3Hash score = Blake3.Hash(Encoding.UTF8.GetBytes($"{key}\n{silo.Node}"));
        return BitConverter.ToUInt64(score.ToArray(), 0);
    }
}
