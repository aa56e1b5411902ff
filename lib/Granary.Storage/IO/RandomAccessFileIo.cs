using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.IO;

/// <summary>
/// The fallback engine: <see cref="RandomAccess"/> positional reads and writes, done synchronously
/// (on Linux .NET has no asynchronous file I/O: its "async" calls are a thread-pool hop around
/// the same pread, and a page-cache read is faster than the hop).
/// </summary>
public sealed class RandomAccessFileIo : IFileIo
{
    /// <inheritdoc/>
    public string Name => "RandomAccess";

    /// <inheritdoc/>
    public ValueTask<int> ReadAsync(SafeFileHandle file, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(RandomAccess.Read(file, buffer.Span, offset));
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(SafeFileHandle file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RandomAccess.Write(file, data.Span, offset);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask FlushToDiskAsync(SafeFileHandle file, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RandomAccess.FlushToDisk(file);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
