using System.Diagnostics.CodeAnalysis;
using System.Text;
using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>
/// A directory as a blob (iroh-blobs' HashSeq + names). Version 1 is the line
/// <c>granary-collection/1</c>, then a bencoded list of files <c>[path, hash, size]</c>. Version 2
/// (<c>granary-collection/2</c>) adds directories as one-element entries <c>[path]</c>, so that
/// empty directories come back; a collection without empty directories is still written as
/// version 1, byte for byte as before, and readers accept both. Being a blob, it is
/// content-addressed and verified like any other; its hash names the whole tree.
/// </summary>
/// <remarks>
/// Paths are UTF-8, relative and '/'-separated; any other byte (a backslash included) is part of a
/// name. Never absolute, never empty, '.' or '..' segments, never NUL.
/// </remarks>
public sealed class BlobCollection
{
    /// <summary>Largest collection blob accepted (about a million entries).</summary>
    public const long MaxSize = 64L << 20;

    private static readonly byte[] MagicV1 = Encoding.ASCII.GetBytes("granary-collection/1\n");
    private static readonly byte[] MagicV2 = Encoding.ASCII.GetBytes("granary-collection/2\n");

    /// <summary>A collection of files <paramref name="entries"/> and empty <paramref name="directories"/>.</summary>
    /// <exception cref="FormatException">A path is unsafe or repeated, or a file would have to hold another entry.</exception>
    public BlobCollection(IEnumerable<CollectionEntry> entries, IEnumerable<string>? directories = null)
    {
        Entries = [.. entries];
        Directories = [.. directories ?? []];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Entries.Select(e => e.Path).Concat(Directories))
        {
            CheckPath(path);
            if (!seen.Add(path))
            {
                throw new FormatException($"The collection lists '{path}' twice.");
            }
        }

        var files = Entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        foreach (string path in seen)
        {
            for (int slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                if (files.Contains(path[..slash]))
                {
                    throw new FormatException($"The collection lists '{path[..slash]}' as a file and '{path}' inside it.");
                }
            }
        }
    }

    /// <summary>The files, in order (what <c>get-collection</c> streams, one after the other).</summary>
    public IReadOnlyList<CollectionEntry> Entries { get; }

    /// <summary>Directories to create though no file lies in them (relative, '/'-separated).</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>The collection's bytes: version 1 when there are no <see cref="Directories"/>, else version 2.</summary>
    public byte[] Encode()
    {
        var list = Entries.Select(e => (object)new List<object> { Encoding.UTF8.GetBytes(e.Path), e.Hash.ToArray(), e.Size }).ToList();
        if (Directories.Count == 0)
        {
            return [.. MagicV1, .. Bencode.Encode(list)];
        }

        list.AddRange(Directories.Select(d => (object)new List<object> { Encoding.UTF8.GetBytes(d) }));
        return [.. MagicV2, .. Bencode.Encode(list)];
    }

    /// <summary>Whether a blob starting with <paramref name="start"/> (its first chunk suffices) can be a collection.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> start) => start.StartsWith(MagicV1) || start.StartsWith(MagicV2);

    /// <summary>
    /// The first step of the one test of whether a blob is a collection, taken before its body is
    /// read (by the clients over the network, by a silo over its store): at most
    /// <see cref="MaxSize"/> bytes, and a start (<paramref name="start"/>, its first chunk
    /// suffices) with the header. A blob that passes is a collection only if
    /// <see cref="TryDecode"/> then accepts its whole body; any other blob is a plain blob,
    /// whatever its first bytes say.
    /// </summary>
    /// <param name="size">The blob's size in bytes.</param>
    /// <param name="start">The blob's first bytes.</param>
    /// <param name="problem">Why it cannot be a collection, or null.</param>
    public static bool CanBe(long size, ReadOnlySpan<byte> start, [NotNullWhen(false)] out string? problem)
    {
        problem = size > MaxSize ? $"it is {size} bytes, more than a collection may be"
            : !HasHeader(start) ? "it does not start with the collection header"
            : null;
        return problem is null;
    }

    /// <summary>Reads a collection of either version, or says why these bytes are not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out BlobCollection? collection, out string? problem)
    {
        collection = null;
        bool v2 = bytes.StartsWith(MagicV2);
        if (!v2 && !bytes.StartsWith(MagicV1))
        {
            problem = "it does not start with the collection header";
            return false;
        }

        try
        {
            if (Bencode.Decode(bytes[MagicV1.Length..], maxItems: 4_000_000, dictionaries: false) is not List<object> list)
            {
                problem = "its body is not a list";
                return false;
            }

            var entries = new List<CollectionEntry>(list.Count);
            var directories = new List<string>();
            foreach (object item in list)
            {
                if (v2 && item is List<object> { Count: 1 } directory && directory[0] is byte[] directoryPath)
                {
                    directories.Add(Encoding.UTF8.GetString(directoryPath));
                    continue;
                }

                if (item is not List<object> { Count: 3 } fields || fields[0] is not byte[] path || fields[1] is not byte[] { Length: Blake3Hash.Size } hash || fields[2] is not long size || size < 0)
                {
                    problem = $"entry {entries.Count + directories.Count} is not [path, 32-byte hash, size]{(v2 ? " or [path]" : string.Empty)}";
                    return false;
                }

                entries.Add(new CollectionEntry(Encoding.UTF8.GetString(path), new Blake3Hash(hash), size));
            }

            collection = new BlobCollection(entries, directories);
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
    /// <exception cref="FormatException">The path is unsafe.</exception>
    public static string Resolve(string root, CollectionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Resolve(root, entry.Path);
    }

    /// <summary>Where the relative collection path <paramref name="path"/> lands under <paramref name="root"/>; refuses anything that would land outside it.</summary>
    /// <exception cref="FormatException">The path is unsafe.</exception>
    public static string Resolve(string root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        CheckPath(path);
        if (System.IO.Path.DirectorySeparatorChar != '/' && path.Contains(System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // Where '\' separates directories, a name holding one cannot be written faithfully.
            throw new FormatException($"Collection entry '{path}' holds a '{System.IO.Path.DirectorySeparatorChar}', which this system reads as a separator.");
        }

        string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, path));
        string rootFull = System.IO.Path.GetFullPath(root).TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
        return full.StartsWith(rootFull, StringComparison.Ordinal)
            ? full
            : throw new FormatException($"Collection entry '{path}' would be written outside {root}.");
    }

    /// <summary>Whether <paramref name="path"/> may be a collection path, and if not why.</summary>
    public static bool IsSafePath(string path, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        problem = path.Length is 0 or > 4096 || path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal)
            || path.Split('/').Any(segment => segment is "" or "." or "..")
            ? $"'{path}' is not a safe relative path for a collection entry (1 to 4096 characters, no leading '/', no '.', '..' or empty segments, no NUL)."
            : null;
        return problem is null;
    }

    private static void CheckPath(string path)
    {
        if (!IsSafePath(path, out string? problem))
        {
            throw new FormatException(problem);
        }
    }
}
