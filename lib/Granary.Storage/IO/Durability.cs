using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.IO;

/// <summary>Durability helpers .NET lacks.</summary>
internal static partial class Durability
{
    /// <summary>
    /// fsyncs a directory, making the renames and unlinks in it durable: without it, a crash
    /// after rename() can bring back the old directory entry.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        int fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to sync it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot sync directory {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Asks the kernel to start writing [<paramref name="offset"/>, +<paramref name="length"/>) of
    /// <paramref name="file"/> to disk now (Linux <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>),
    /// without waiting and without making anything durable: the fsync that does is then left
    /// with little to write. RocksDB's <c>bytes_per_sync</c> and PostgreSQL's
    /// <c>backend_flush_after</c> do the same. Only advice: failures, a closed handle and other
    /// systems are ignored (the fsync reports real errors). It may block briefly when the disk's
    /// queue is full, as any write would.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }

        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: nothing left to write back.
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
