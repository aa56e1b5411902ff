using System.Text;
using Granary.Grains.Cluster;
using Granary.Hashing;

namespace Granary.Grains.Placement;

/// <summary>
/// Rendezvous (highest random weight) hashing, Thaler and Ravishankar 1998: every silo scores each
/// key with BLAKE3(key, node id) and the highest score wins. Any two silos with the same view agree
/// without talking, and when a silo joins or leaves only the keys it wins or held move (about 1/n).
/// Scores use node ids, not Orleans' silo addresses, so a restarted silo gets its blobs back.
/// </summary>
public static class Rendezvous
{
    /// <summary><paramref name="silos"/> ordered from the best to the worst home for <paramref name="key"/>.</summary>
    public static IReadOnlyList<ClusterSilo> Rank(string key, IEnumerable<ClusterSilo> silos) =>
        silos.Select(s => (Silo: s, Score: Score(key, s)))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Silo.Ticket.Node.ToString(), StringComparer.Ordinal)
            .Select(x => x.Silo)
            .ToList();

    /// <summary>The placement key of blob <paramref name="hash"/>.</summary>
    public static string BlobKey(Blake3Hash hash) => $"blob/{hash}";

    private static ulong Score(string key, ClusterSilo silo)
    {
        Blake3Hash score = Blake3.Hash(Encoding.UTF8.GetBytes($"{key}\n{silo.Ticket.Node}"));
        return BitConverter.ToUInt64(score.ToArray(), 0);
    }
}
