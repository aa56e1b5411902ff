using System.Text;
using System.Text.Unicode;
using System.Runtime.InteropServices;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Files;

/// <summary>
/// A local directory as a collection will carry it: its regular files, its empty directories, and
/// everything left out with the reason. One entry never stops the walk: a name that is not UTF-8,
/// a dangling or looping link, a FIFO, a socket or a device is recorded in <see cref="Skipped"/>
/// and the rest goes on.
/// </summary>
/// <remarks>
/// Symbolic links (the policy of rsync's <c>--safe-links</c> and <c>tar</c>): by default a link is
/// followed only if what it finally points to lies inside the directory being uploaded; its content
/// is uploaded under the link's own name (collections carry files, not links). A link that leaves
/// the tree is skipped with a warning, unless <c>followSymlinks</c> is set, which follows every
/// link as <c>rsync -L</c> / <c>tar -h</c> do. A dangling link, a link loop, and a directory link
/// that leads back to one of its own ancestors are always skipped with a warning.
/// FIFOs, sockets and devices (also when reached through a link) are skipped without being opened.
/// </remarks>
public sealed class DirectoryTree
{
    private DirectoryTree(string root, List<TreeFile> files, List<string> directories, List<SkippedEntry> skipped)
    {
        Root = root;
        Files = files;
        EmptyDirectories = directories;
        Skipped = skipped;
        TotalBytes = files.Sum(f => f.Size);
    }

    /// <summary>The directory's full path.</summary>
    public string Root { get; }

    /// <summary>The regular files to send, ordered by <see cref="TreeFile.Path"/> (ordinal).</summary>
    public IReadOnlyList<TreeFile> Files { get; }

    /// <summary>
    /// Directories that hold nothing the collection carries (relative, '/'-separated, ordinal order):
    /// they are listed so the tree comes back whole. Others are implied by their files.
    /// </summary>
    public IReadOnlyList<string> EmptyDirectories { get; }

    /// <summary>What was left out, in the order the walk met it.</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; }

    /// <summary>Bytes in <see cref="Files"/>, for progress.</summary>
    public long TotalBytes { get; }

    /// <summary>Walks <paramref name="directory"/> (a link to a directory is fine: the walk starts where it points).</summary>
    /// <param name="directory">The directory to upload.</param>
    /// <param name="followSymlinks">Follow links that leave the tree too (default: only links inside it).</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> is not a directory.</exception>
    public static DirectoryTree Scan(string directory, bool followSymlinks = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string root = Path.GetFullPath(directory);
        if (PosixFiles.Stat(root, followLinks: true, out PosixFiles.FileStatus status) != 0 || status.Kind != PosixFiles.FileKind.Directory)
        {
            throw new DirectoryNotFoundException($"'{directory}' is not a directory.");
        }

        string realRoot = PosixFiles.RealPath(root, out _) ?? root;
        var walk = new Walk(realRoot, followSymlinks, cancellationToken);
        walk.Directory(root, string.Empty, status);
        walk.Files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        walk.Directories.Sort(StringComparer.Ordinal);
        return new DirectoryTree(root, walk.Files, walk.Directories, walk.Skipped);
    }

    private sealed class Walk(string realRoot, bool followSymlinks, CancellationToken cancellationToken)
    {
        private readonly List<(ulong Device, ulong Inode, string Path)> _ancestors = [];

        public List<TreeFile> Files { get; } = [];

        public List<string> Directories { get; } = [];

        public List<SkippedEntry> Skipped { get; } = [];

        /// <summary>Walks one directory; returns whether it holds anything the collection carries.</summary>
        public bool Directory(string full, string relative, PosixFiles.FileStatus status)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var names = new List<byte[]>();
            int error = PosixFiles.ReadNames(full, names);
            if (error != 0)
            {
                Skip(relative, $"cannot read this directory: {Marshal.GetPInvokeErrorMessage(error)}");
                return false;
            }

            _ancestors.Add((status.Device, status.Inode, relative));
            bool kept = false;
            foreach (byte[] name in names)
            {
                kept |= Entry(full, relative, name);
            }

            _ancestors.RemoveAt(_ancestors.Count - 1);
            if (!kept && relative.Length > 0)
            {
                Directories.Add(relative);
            }

            return kept || relative.Length > 0;
        }

        private bool Entry(string parentFull, string parentRelative, byte[] rawName)
        {
            if (!Utf8.IsValid(rawName))
            {
                // .NET cannot name this file (it would replace the bad bytes), so it cannot be read or carried.
                Skipped.Add(new SkippedEntry(
                    (parentRelative.Length == 0 ? string.Empty : FileNames.Escape(parentRelative) + "/") + FileNames.Escape(rawName),
                    "its name is not valid UTF-8, and collections carry UTF-8 names only: rename it to upload it"));
                return false;
            }

            string name = Encoding.UTF8.GetString(rawName);
            string full = Path.Join(parentFull, name);
            string relative = parentRelative.Length == 0 ? name : parentRelative + "/" + name;
            if (!BlobCollection.IsSafePath(relative, out string? problem))
            {
                Skip(relative, problem!);
                return false;
            }

            int error = PosixFiles.Stat(full, followLinks: false, out PosixFiles.FileStatus status);
            if (error != 0)
            {
                Skip(relative, $"it vanished or cannot be read: {Marshal.GetPInvokeErrorMessage(error)}");
                return false;
            }

            if (status.Kind == PosixFiles.FileKind.SymbolicLink && !FollowLink(full, relative, out status))
            {
                return false;
            }

            switch (status.Kind)
            {
                case PosixFiles.FileKind.Regular:
                    Files.Add(new TreeFile(full, relative, status.Size));
                    return true;
                case PosixFiles.FileKind.Directory:
                    if (_ancestors.FirstOrDefault(a => a.Device == status.Device && a.Inode == status.Inode) is { Path: { } loop })
                    {
                        Skip(relative, $"a symbolic link back to {(loop.Length == 0 ? "the top of the tree" : "its ancestor " + FileNames.Escape(loop))}: following it would never end");
                        return false;
                    }

                    return Directory(full, relative, status);
                default:
                    Skip(relative, $"it is {PosixFiles.Describe(status.Kind)}, which has no content to upload (only regular files, directories and links to them are sent)");
                    return false;
            }
        }

        private bool FollowLink(string full, string relative, out PosixFiles.FileStatus target)
        {
            string pointsTo = new FileInfo(full).LinkTarget ?? "?";
            int error = PosixFiles.Stat(full, followLinks: true, out target);
            if (error != 0)
            {
                Skip(relative, error switch
                {
                    PosixFiles.ENOENT => $"a dangling symbolic link (to {FileNames.Escape(pointsTo)}, which does not exist)",
                    PosixFiles.ELOOP => $"a symbolic link loop (to {FileNames.Escape(pointsTo)}): it never reaches a file",
                    _ => $"a symbolic link (to {FileNames.Escape(pointsTo)}) that cannot be followed: {Marshal.GetPInvokeErrorMessage(error)}",
                });
                return false;
            }

            if (!followSymlinks)
            {
                string? real = PosixFiles.RealPath(full, out _);
                if (real is null || !(real == realRoot || real.StartsWith(realRoot.TrimEnd('/') + "/", StringComparison.Ordinal)))
                {
                    Skip(relative, $"a symbolic link to {FileNames.Escape(pointsTo)}, outside the directory being sent: pass --follow-links (-FollowSymlink) to send what it points to");
                    return false;
                }
            }

            return true;
        }

        private void Skip(string relative, string reason) =>
            Skipped.Add(new SkippedEntry(relative.Length == 0 ? "." : FileNames.Escape(relative), reason));
    }
}
