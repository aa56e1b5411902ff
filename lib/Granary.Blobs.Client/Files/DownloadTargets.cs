using System.Runtime.InteropServices;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Blobs.Files;

/// <summary>
/// The overwrite rule of downloads, checked before anything is written so that a refused download
/// leaves the disk as it was: a download never replaces an existing file unless forced. A file
/// download refuses an existing target; a collection download refuses if any of its files exists
/// with other content (an identical file is no loss, so an interrupted collection download can be
/// run again). A resumed download (only the <c>.partial</c> exists) replaces nothing. Some things
/// are refused even when forced: a directory where a file goes, a file where a directory goes,
/// anything but a regular file at a file's name (a device, a FIFO, a socket, a symbolic link),
/// and symbolic links inside the target (a download never writes through a link).
/// </summary>
public static class DownloadTargets
{
    /// <summary>What every refusal ends with.</summary>
    public const string ForceHint = "nothing was written; to replace it, force the download (granary get --force, Get-Blob -Force)";

    private const int Listed = 5;

    /// <summary>Refuses to download a file to <paramref name="path"/> if that would replace something, or cannot be written there.</summary>
    /// <exception cref="TargetExistsException">It exists (and <paramref name="overwrite"/> is false), or is a directory.</exception>
    /// <exception cref="IOException">The folder it goes into does not exist (it is not made: a typo should not make folders).</exception>
    public static void CheckFile(string path, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new TargetExistsException($"'{path}' is a directory: name the file to write (nothing was written).", [full]) { Forceable = false };
        }

        if (Path.EndsInDirectorySeparator(path))
        {
            throw new IOException($"There is no folder '{path}': create it first (mkdir, or New-Item -ItemType Directory), or name the file to write; nothing was written.");
        }

        if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
        {
            throw new IOException($"The folder '{folder}' that '{path}' goes into does not exist: create it first, or choose another place; nothing was written.");
        }

        if (Exists(full, out PosixFiles.FileKind kind))
        {
            // Forced or not, only a regular file is replaced: -Force on /dev/null or a FIFO must not
            // turn it into a file, and a link at the name is the user's, not ours to swap for data.
            if (kind != PosixFiles.FileKind.Regular)
            {
                throw new TargetExistsException($"'{path}' is {PosixFiles.Describe(kind)}, not a regular file: a download writes only regular files, forced or not (nothing was written).", [full]) { Forceable = false };
            }

            if (!overwrite)
            {
                throw new TargetExistsException($"'{path}' already exists; {ForceHint}.", [full]);
            }
        }
    }

    /// <summary>
    /// Refuses to download <paramref name="collection"/> into <paramref name="directory"/> if that
    /// would replace a file with other content (unless <paramref name="overwrite"/>), or cannot
    /// write where the collection puts something.
    /// </summary>
    /// <exception cref="TargetExistsException">What is in the way, named.</exception>
    /// <exception cref="FormatException">An entry's path is unsafe.</exception>
    public static async Task CheckCollectionAsync(string directory, BlobCollection collection, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            // The target itself may be a link to a directory (the user named it); anything else in the way refuses.
            if (Exists(root, out PosixFiles.FileKind rootKind))
            {
                throw new TargetExistsException($"'{directory}' exists and is {PosixFiles.Describe(rootKind)}, not a directory: a collection becomes a directory (nothing was written).", [root]) { Forceable = false };
            }

            return;
        }

        var blockers = new List<string>();
        var conflicts = new List<string>();
        var checkedDirectories = new HashSet<string>(StringComparer.Ordinal);

        // Every directory on the way must be a real directory or not exist yet.
        bool PathClear(string relative)
        {
            string[] segments = relative.Split('/');
            string current = root;
            for (int i = 0; i < segments.Length; i++)
            {
                current = Path.Join(current, segments[i]);
                if (checkedDirectories.Contains(current))
                {
                    continue;
                }

                if (!Exists(current, out PosixFiles.FileKind kind))
                {
                    return true;
                }

                if (kind != PosixFiles.FileKind.Directory)
                {
                    blockers.Add($"{Show(root, current)} is {PosixFiles.Describe(kind)} where the collection has a directory");
                    return false;
                }

                checkedDirectories.Add(current);
            }

            return true;
        }

        foreach (string relative in collection.Directories)
        {
            _ = BlobCollection.Resolve(root, relative);
            PathClear(relative);
        }

        foreach (CollectionEntry entry in collection.Entries)
        {
            string target = BlobCollection.Resolve(root, entry);
            int slash = entry.Path.LastIndexOf('/');
            if ((slash >= 0 && !PathClear(entry.Path[..slash])) || !Exists(target, out PosixFiles.FileKind kind))
            {
                continue;
            }

            if (kind == PosixFiles.FileKind.Directory)
            {
                blockers.Add($"{Show(root, target)} is a directory where the collection has a file");
            }
            else if (!overwrite && !(kind == PosixFiles.FileKind.Regular && await IdenticalAsync(target, entry, cancellationToken).ConfigureAwait(false)))
            {
                conflicts.Add(target);
            }
        }

        if (blockers.Count > 0)
        {
            throw new TargetExistsException(
                $"cannot write the collection into '{directory}': {List(blockers)} (nothing was written; move them away first).", blockers) { Forceable = false };
        }

        if (conflicts.Count > 0)
        {
            throw new TargetExistsException(
                $"{conflicts.Count} file(s) of the collection already exist in '{directory}' with other content: {List(conflicts.Select(c => Show(root, c)).ToList())}; {ForceHint}.", conflicts);
        }
    }

    private static string Show(string root, string full) => FileNames.Escape(Path.GetRelativePath(root, full));

    private static string List(List<string> items) =>
        string.Join(", ", items.Take(Listed)) + (items.Count > Listed ? $" and {items.Count - Listed} more" : string.Empty);

    private static bool Exists(string path, out PosixFiles.FileKind kind)
    {
        int error = PosixFiles.Stat(path, followLinks: false, out PosixFiles.FileStatus status);
        kind = status.Kind;
        return error switch
        {
            0 => true,
            PosixFiles.ENOENT => false,
            _ => throw new IOException($"cannot check '{path}': {Marshal.GetPInvokeErrorMessage(error)}"),
        };
    }

    private static async Task<bool> IdenticalAsync(string path, CollectionEntry entry, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length != entry.Size)
        {
            return false;
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await Blake3.HashAsync(file, cancellationToken).ConfigureAwait(false) == entry.Hash;
        }
    }
}
