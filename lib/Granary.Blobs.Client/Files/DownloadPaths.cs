using System.Text;
using Granary.Blobs.Protocol;
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

    /// <summary>
    /// The temporary file of every file of a collection downloaded into <paramref name="directory"/>,
    /// by full target path. A collection may itself hold a file (or a directory) named like another
    /// entry's <c>NAME.partial</c>; such an entry gets a hidden name instead, so that no temporary
    /// file is ever another entry, its directory, or another entry's temporary file.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForCollection(string directory, BlobCollection collection)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in collection.Entries.Select(e => e.Path).Concat(collection.Directories))
        {
            // The entry and every directory above it.
            for (string? part = path; !string.IsNullOrEmpty(part); part = Path.GetDirectoryName(part))
            {
                taken.Add(Path.GetFullPath(Path.Combine(directory, part)));
            }
        }

        var partials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (CollectionEntry entry in collection.Entries)
        {
            string target = BlobCollection.Resolve(directory, entry);
            string partial = Partial(target);
            for (int attempt = 1; taken.Contains(partial) || taken.Contains(partial + StateSuffix); attempt++)
            {
                string digest = Blake3.Hash(Encoding.UTF8.GetBytes($"{Path.GetFileName(target)}/{attempt}")).ToString()[..32];
                partial = Path.Join(Path.GetDirectoryName(target), $".granary-{digest}{PartialSuffix}");
            }

            taken.Add(partial);
            partials[target] = partial;
        }

        return partials;
    }
}
