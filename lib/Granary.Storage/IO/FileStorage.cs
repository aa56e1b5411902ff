using System.Runtime.InteropServices;
using Granary.Hashing.Verified;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.IO;

/// <summary>A file as <see cref="IRandomAccessStorage"/>, through a file I/O engine; owns the handle.</summary>
public sealed class FileStorage : IRandomAccessStorage, IDisposable
{
    private readonly IFileIo _io;

    /// <summary>Wraps <paramref name="handle"/>, which this object closes on dispose.</summary>
    public FileStorage(IFileIo io, SafeFileHandle handle)
    {
        _io = io;
        Handle = handle;
    }

    /// <summary>The open file.</summary>
    public SafeFileHandle Handle { get; }

    /// <inheritdoc/>
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        _io.ReadAsync(Handle, offset, buffer, cancellationToken);

    /// <inheritdoc/>
    public ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _io.WriteAsync(Handle, offset, data, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}

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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
