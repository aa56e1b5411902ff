using Microsoft.Win32.SafeHandles;

namespace Granary.Hashing.Verified;

/// <summary>
/// Storage in a file through <see cref="RandomAccess"/> (positional I/O, no shared file position).
/// </summary>
/// <remarks>
/// Reads and writes run synchronously and complete the returned task: on Linux, .NET has no
/// asynchronous file I/O (an "async" call is a thread-pool hop around the same pread), and a
/// page-cache read of one 16 KiB block takes less time than the hop. The io_uring store
/// replaces this class where truly asynchronous I/O pays.
/// </remarks>
public sealed class FileRandomAccessStorage : IRandomAccessStorage
{
    private readonly SafeFileHandle _handle;

    /// <summary>Wraps an open handle; the caller keeps ownership of it.</summary>
    public FileRandomAccessStorage(SafeFileHandle handle) => _handle = handle;

    /// <inheritdoc/>
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(RandomAccess.Read(_handle, buffer.Span, offset));
    }

    /// <inheritdoc/>
    public ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RandomAccess.Write(_handle, data.Span, offset);
        return ValueTask.CompletedTask;
    }
}
