using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Files;

/// <summary>
/// The few libc calls the directory walk needs and .NET does not offer: names as raw bytes (.NET
/// decodes them, replacing bytes that are not UTF-8, so such a file can be neither named nor
/// opened), the type of a file without following links (FIFOs, sockets and devices look like
/// files to .NET), and an open that cannot block on a FIFO. Linux, 64-bit.
/// </summary>
internal static unsafe partial class PosixFiles
{
    public const int ENOENT = 2;
    public const int ELOOP = 40;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasic = 0x7ff;
    private const int ORdOnly = 0;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;
    private const int OTrunc = 0x200;
    private const int ONoFollow = 0x20000;
    private const int EISDIR = 21;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    // struct dirent on 64-bit Linux: d_ino, d_off (8 each), d_reclen (2), d_type (1), then d_name.
    private const int DirentNameOffset = 19;

    /// <summary>The file types of st_mode (S_IFMT bits).</summary>
    public enum FileKind
    {
        /// <summary>A FIFO (named pipe).</summary>
        Fifo = 0x1000,

        /// <summary>A character device.</summary>
        CharacterDevice = 0x2000,

        /// <summary>A directory.</summary>
        Directory = 0x4000,

        /// <summary>A block device.</summary>
        BlockDevice = 0x6000,

        /// <summary>A regular file.</summary>
        Regular = 0x8000,

        /// <summary>A symbolic link.</summary>
        SymbolicLink = 0xA000,

        /// <summary>A socket.</summary>
        Socket = 0xC000,
    }

    /// <summary>What statx says of a file: its type, identity (to detect directory cycles) and size.</summary>
    public readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size);

    /// <summary>The names in <paramref name="directory"/> as raw bytes, without "." and "..".</summary>
    /// <returns>0, or the errno of opendir/readdir.</returns>
    public static int ReadNames(string directory, List<byte[]> names)
    {
        nint handle = OpenDir(directory);
        if (handle == 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        try
        {
            while (true)
            {
                nint entry = ReadDir(handle);
                if (entry == 0)
                {
                    return Marshal.GetLastPInvokeError();
                }

                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + DirentNameOffset);
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    names.Add(name.ToArray());
                }
            }
        }
        finally
        {
            _ = CloseDir(handle);
        }
    }

    /// <summary>The status of <paramref name="path"/>, following a final symbolic link or not.</summary>
    /// <returns>0, or the errno (ENOENT for a dangling link, ELOOP for a link loop).</returns>
    public static int Stat(string path, bool followLinks, out FileStatus status) =>
        StatAt(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, out status);

    /// <summary>
    /// Opens <paramref name="path"/> for reading only if it is a regular file: O_NONBLOCK makes
    /// the open return at once even if the file was replaced by a FIFO after the walk looked.
    /// </summary>
    /// <exception cref="IOException">It cannot be opened, or is not a regular file.</exception>
    public static FileStream OpenRegularFile(string path)
    {
        int fd = Open(path, ORdOnly | ONonBlock | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            int error = StatAt(fd, string.Empty, AtEmptyPath, out FileStatus status);
            if (error != 0 || status.Kind != FileKind.Regular)
            {
                throw new IOException(error != 0 ? $"cannot read its status: {Marshal.GetPInvokeErrorMessage(error)}" : $"it is no longer a regular file ({Describe(status.Kind)})");
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a download's own temporary file (PATH.partial, its record) for reading and writing,
    /// never through a symbolic link (O_NOFOLLOW) and only if it is a regular file: whatever sits
    /// at that name — a link planted there, a FIFO, a directory — is refused with a message that
    /// says what to remove, so a download can never write anywhere but its own files.
    /// </summary>
    /// <param name="path">The temporary file.</param>
    /// <param name="truncate">Start it empty (O_TRUNC); otherwise keep its bytes (a resume).</param>
    /// <exception cref="IOException">It is a link, not a regular file, or cannot be opened; the message says which.</exception>
    public static SafeFileHandle OpenTemporary(string path, bool truncate)
    {
        int flags = ORdWr | OCreat | ONoFollow | ONonBlock | OCloExec | (truncate ? OTrunc : 0);
        int fd = OpenWithMode(path, flags, 0b110_110_100);
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            throw new IOException(error switch
            {
                ELOOP => $"{path} is a symbolic link: a download never writes through one. Remove it and run again.",
                EISDIR => $"{path} is a directory where the download keeps its partial file. Remove or rename it and run again.",
                _ => $"{path} cannot be opened: {Marshal.GetPInvokeErrorMessage(error)}.",
            });
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int statError = StatAt(fd, string.Empty, AtEmptyPath, out FileStatus status);
        if (statError != 0 || status.Kind != FileKind.Regular)
        {
            handle.Dispose();
            throw new IOException(statError != 0
                ? $"{path} cannot be examined: {Marshal.GetPInvokeErrorMessage(statError)}."
                : $"{path} is {Describe(status.Kind)}, not the regular file a download keeps its bytes in. Remove it and run again.");
        }

        return handle;
    }

    /// <summary>The canonical absolute path (every link resolved), or null with the errno.</summary>
    public static string? RealPath(string path, out int error)
    {
        nint resolved = RealPathNative(path, 0);
        if (resolved == 0)
        {
            error = Marshal.GetLastPInvokeError();
            return null;
        }

        try
        {
            error = 0;
            return Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)resolved));
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>"a FIFO", "a socket", …: for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.Directory => "a directory",
        FileKind.BlockDevice => "a block device",
        FileKind.Regular => "a regular file",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Socket => "a socket",
        _ => "a special file",
    };

    private static int StatAt(int directoryFd, string path, int flags, out FileStatus status)
    {
        // struct statx is the same on every architecture (256 bytes): mode at 28, ino at 32,
        // size at 40, dev major/minor at 136/140.
        byte* buffer = stackalloc byte[256];
        if (StatX(directoryFd, path, flags, StatxBasic, buffer) != 0)
        {
            status = default;
            return Marshal.GetLastPInvokeError();
        }

        ushort mode = *(ushort*)(buffer + 28);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        status = new FileStatus((FileKind)(mode & 0xF000), device, *(ulong*)(buffer + 32), *(long*)(buffer + 40));
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint OpenDir(string name);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial nint ReadDir(nint directory);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint directory);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenWithMode(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
