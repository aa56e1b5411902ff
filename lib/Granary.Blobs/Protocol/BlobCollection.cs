using System.Text;
using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>One file of a collection: where it goes, what it is.</summary>
/// <param name="Path">Relative path with '/' separators; never absolute, never "..".</param>
/// <param name="Hash">The file's blob.</param>
/// <param name="Size">The file's size in bytes.</param>
public sealed record CollectionEntry(string Path, Blake3Hash Hash, long Size);

/// <summary>
/// A directory as a blob (iroh-blobs' HashSeq + names): the line <c>granary-collection/1</c>, then
/// a bencoded list of <c>[path, hash, size]</c>. Being a blob, it is content-addressed and
/// verified like any other; its hash names the whole tree.
/// </summary>
public sealed class BlobCollection
{
    /// <summary>Largest collection blob accepted (about a million entries).</summary>
    public const long MaxSize = 64L << 20;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("granary-collection/1\n");

    /// <summary>A collection of <paramref name="entries"/> (checked: safe relative paths, no duplicates).</summary>
    /// <exception cref="FormatException">An entry's path is unsafe or repeated.</exception>
    public BlobCollection(IEnumerable<CollectionEntry> entries)
    {
        Entries = [.. entries];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CollectionEntry entry in Entries)
        {
            CheckPath(entry.Path);
            if (!seen.Add(entry.Path))
            {
                throw new FormatException($"The collection lists '{entry.Path}' twice.");
            }
        }
    }

    /// <summary>The files, in order.</summary>
    public IReadOnlyList<CollectionEntry> Entries { get; }

    /// <summary>The collection's bytes.</summary>
    public byte[] Encode() =>
        [.. Magic, .. Bencode.Encode(Entries.Select(e => new List<object> { Encoding.UTF8.GetBytes(e.Path), e.Hash.ToArray(), e.Size }).ToList())];

    /// <summary>Whether a blob starting with <paramref name="start"/> (its first chunk suffices) can be a collection.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>Reads a collection, or says why these bytes are not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out BlobCollection? collection, out string? problem)
    {
        collection = null;
        if (!bytes.StartsWith(Magic))
        {
            problem = "it does not start with the collection header";
            return false;
        }

        try
        {
            if (Bencode.Decode(bytes[Magic.Length..], maxItems: 4_000_000) is not List<object> list)
            {
                problem = "its body is not a list";
                return false;
            }

            var entries = new List<CollectionEntry>(list.Count);
            foreach (object item in list)
            {
                if (item is not List<object> { Count: 3 } fields || fields[0] is not byte[] path || fields[1] is not byte[] { Length: Blake3Hash.Size } hash || fields[2] is not long size || size < 0)
                {
                    problem = $"entry {entries.Count} is not [path, 32-byte hash, size]";
                    return false;
                }

                entries.Add(new CollectionEntry(Encoding.UTF8.GetString(path), new Blake3Hash(hash), size));
            }

            collection = new BlobCollection(entries);
            problem = null;
            return true;
        }
        catch (FormatException error)
        {
            problem = error.Message;
            return false;
        }
    }

    /// <summary>Where an entry lands under <paramref name="root"/>; refuses anything that would land outside it.</summary>
    public static string Resolve(string root, CollectionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        CheckPath(entry.Path);
        string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, entry.Path));
        string rootFull = System.IO.Path.GetFullPath(root).TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
        return full.StartsWith(rootFull, StringComparison.Ordinal)
            ? full
            : throw new FormatException($"Collection entry '{entry.Path}' would be written outside {root}.");
    }

    private static void CheckPath(string path)
    {
        if (path.Length is 0 or > 4096 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal)
            || path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new FormatException($"'{path}' is not a safe relative path for a collection entry (no leading '/', no '.', '..' or empty segments, no '\\').");
        }
    }
}
