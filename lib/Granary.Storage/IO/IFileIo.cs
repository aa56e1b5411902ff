using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.IO;

/// <summary>
/// Positional reads, writes and fsyncs of open files, asynchronous where the engine can be:
/// io_uring (<see cref="IoUring.IoUringFileIo"/>) or plain <see cref="RandomAccess"/>, synchronous
/// (<see cref="RandomAccessFileIo"/>). Both pass the same contract tests. Opening, renaming and
/// deleting files are not part of it.
/// </summary>
public interface IFileIo : IAsyncDisposable
{
    /// <summary>Which engine this is, for logs ("io_uring" or "RandomAccess").</summary>
    string Name { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; 0 at or past the end.</summary>
    /// <exception cref="IOException">The read failed; the message carries the system's reason.</exception>
    ValueTask<int> ReadAsync(SafeFileHandle file, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="IOException">The write failed (disk full, bad handle…); the message carries the reason.</exception>
    ValueTask WriteAsync(SafeFileHandle file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes everything written to the file durable (fsync).</summary>
    ValueTask FlushToDiskAsync(SafeFileHandle file, CancellationToken cancellationToken = default);
}
