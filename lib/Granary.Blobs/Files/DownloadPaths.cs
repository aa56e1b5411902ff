using System.Text;
using Granary.Hashing;

namespace Granary.Blobs.Files;

/// <summary>
/// The temporary files of a download beside its target: <c>PATH.partial</c> (the verified bytes so
/// far) and <c>PATH.partial.state</c> (how many of them are durable). When the target's name is
/// too long for that (the name plus ".partial.state" past 255 bytes), both become a short hidden
/// name in the same directory derived from the target's name,
/// <c>.granary-&lt;32 hex digits&gt;.partial</c>: the same target always gives the same name, so an
/// interrupted download is found again and resumed.
/// </summary>
public static class DownloadPaths
{
    private const string PartialSuffix = ".partial";
    private const string StateSuffix = ".state";

    /// <summary>Where the verified bytes for <paramref name="target"/> are written before the final rename.</summary>
    public static string Partial(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        string name = Path.GetFileName(target);
        if (Encoding.UTF8.GetByteCount(name) + PartialSuffix.Length + StateSuffix.Length <= FileNames.MaxNameBytes)
        {
            return target + PartialSuffix;
        }

        string digest = Blake3.Hash(Encoding.UTF8.GetBytes(name)).ToString()[..32];
        return Path.Join(Path.GetDirectoryName(target), $".granary-{digest}{PartialSuffix}");
    }

    /// <summary>Where a resumable download records how much of <see cref="Partial"/> is verified and durable.</summary>
    public static string State(string target) => Partial(target) + StateSuffix;
}
