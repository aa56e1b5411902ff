using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Transfers.Channels;

/// <summary>
/// The part of a collection a channel moves (go-data-transfer's selector, narrowed to what a
/// Granary collection can name): a list of paths, each an entry's exact path or, ending in
/// <c>/</c>, every entry below that directory. No paths: the whole collection. The collection blob
/// itself always moves (the receiver needs it to verify which members are which). Pure: no IO.
/// </summary>
public static class PathSelector
{
    /// <summary>Most paths one channel may name: 256.</summary>
    public const int MaxPaths = 256;

    /// <summary>Longest path, in UTF-8 bytes: 4096.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>
    /// Most UTF-8 bytes of all paths together: 6144, so that an <c>open</c> with the largest
    /// voucher (8 KiB) still fits one 16 KiB metadata block.
    /// </summary>
    public const int MaxTotalPathBytes = 6144;

    /// <summary>A sentence naming what is wrong with <paramref name="paths"/>, or null if they are a valid selector.</summary>
    /// <param name="paths">Paths as a user or a peer gave them.</param>
    public static string? Problem(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count > MaxPaths)
        {
            return $"A channel names at most {MaxPaths} paths within its collection, not {paths.Count}.";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (string path in paths)
        {
            if (path.Length == 0 || path[0] == '/' || path.Contains('\0', StringComparison.Ordinal))
            {
                return $"{Show(path)} is not a path within a collection: it must be relative (no leading '/'), not empty, without NUL.";
            }

            int bytes = Encoding.UTF8.GetByteCount(path);
            if (bytes > MaxPathBytes)
            {
                return $"A path within the collection is longer than {MaxPathBytes} bytes.";
            }

            if ((total += bytes) > MaxTotalPathBytes)
            {
                return $"The paths within the collection come to more than {MaxTotalPathBytes} bytes together; name their directories instead (a path ending in '/' selects everything below it).";
            }

            if (path.TrimEnd('/').Split('/').Any(segment => segment is "" or "." or ".."))
            {
                return $"{Show(path)} is not a path within a collection: no empty, '.' or '..' parts.";
            }

            if (!seen.Add(path))
            {
                return $"The path {Show(path)} is named twice.";
            }
        }

        return null;
    }

    /// <summary>
    /// The members of <paramref name="collection"/> that <paramref name="paths"/> select, each hash
    /// once, in the collection's order; every member when <paramref name="paths"/> is empty.
    /// </summary>
    /// <exception cref="ArgumentException">A path selects nothing in the collection (the message names it and a few entries there are). An empty directory the collection lists selects nothing without an error.</exception>
    public static IReadOnlyList<Blake3Hash> Select(BlobCollection collection, IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            return [.. collection.Entries.Select(e => e.Hash).Distinct()];
        }

        var chosen = new HashSet<int>();
        foreach (string path in paths)
        {
            bool any = path.EndsWith('/') && collection.Directories.Any(d => (d + "/").StartsWith(path, StringComparison.Ordinal));
            for (int i = 0; i < collection.Entries.Count; i++)
            {
                if (Matches(collection.Entries[i].Path, path))
                {
                    chosen.Add(i);
                    any = true;
                }
            }

            if (!any)
            {
                string some = string.Join(", ", collection.Entries.Take(5).Select(e => Show(e.Path)));
                string more = collection.Entries.Count > 5 ? $" and {collection.Entries.Count - 5} more" : string.Empty;
                string hint = !path.EndsWith('/') && collection.Entries.Any(e => e.Path.StartsWith(path + "/", StringComparison.Ordinal))
                    ? $"; {Show(path)} is a directory: name it {Show(path + "/")}"
                    : string.Empty;
                throw new ArgumentException(collection.Entries.Count == 0
                    ? $"The collection has no files, so {Show(path)} selects nothing."
                    : $"The collection has no file {Show(path)}{(path.EndsWith('/') ? " or below it" : string.Empty)} (it holds {some}{more}){hint}. Paths match exactly, case and all.");
            }
        }

        return [.. chosen.Order().Select(i => collection.Entries[i].Hash).Distinct()];
    }

    /// <summary>A path quoted for a message, control characters escaped (it may come from another party).</summary>
    private static string Show(string path) => $"'{RemoteText.Printable(path)}'";

    private static bool Matches(string entry, string path) =>
        path.EndsWith('/') ? entry.StartsWith(path, StringComparison.Ordinal) : entry == path;
}
