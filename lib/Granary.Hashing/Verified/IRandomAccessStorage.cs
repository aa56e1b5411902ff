using Microsoft.Win32.SafeHandles;

namespace Granary.Hashing.Verified;

/// <summary>
/// Bytes that can be read and written at any offset: a blob's data or outboard. The blob
/// store backs it with io_uring or <see cref="RandomAccess"/>; tests and small blobs with memory.
/// </summary>
public interface IRandomAccessStorage
{
    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns how many (0 past the end).</summary>
    ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>, growing the storage if needed.</summary>
    ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}

/// <summary>Helpers over <see cref="IRandomAccessStorage"/>.</summary>
public static class RandomAccessStorageExtensions
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, or throws if the storage ends first.</summary>
    /// <exception cref="EndOfStreamException">The storage holds fewer bytes than asked for; the message says what was read.</exception>
    public static async ValueTask ReadExactlyAtAsync(
        this IRandomAccessStorage storage, long offset, Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await storage.ReadAtAsync(offset + total, buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException(
                    $"The {what} ends at byte {offset + total}, but {buffer.Length} bytes were needed from byte {offset}: it is shorter than its blob needs.");
            }

            total += read;
        }
    }
}

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

/// <summary>Storage in memory, growing as written: for small blobs and tests.</summary>
public sealed class MemoryRandomAccessStorage : IRandomAccessStorage
{
    private byte[] _bytes;

    /// <summary>Empty storage.</summary>
    public MemoryRandomAccessStorage()
        : this([])
    {
    }

    /// <summary>Storage holding <paramref name="bytes"/> (not copied).</summary>
    public MemoryRandomAccessStorage(byte[] bytes)
    {
        _bytes = bytes;
        Length = bytes.Length;
    }

    /// <summary>Bytes written so far (the highest end of any write).</summary>
    public long Length { get; private set; }

    /// <summary>A copy of the contents.</summary>
    public byte[] ToArray() => _bytes.AsSpan(0, (int)Length).ToArray();

    /// <inheritdoc/>
    public ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset >= Length)
        {
            return ValueTask.FromResult(0);
        }

        int count = (int)Math.Min(buffer.Length, Length - offset);
        _bytes.AsSpan((int)offset, count).CopyTo(buffer.Span);
        return ValueTask.FromResult(count);
    }

    /// <inheritdoc/>
    public ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        long end = offset + data.Length;
        if (end > _bytes.Length)
        {
            Array.Resize(ref _bytes, (int)Math.Max(end, Math.Min(Array.MaxLength, 2L * _bytes.Length)));
        }

        data.Span.CopyTo(_bytes.AsSpan((int)offset));
        Length = Math.Max(Length, end);
        return ValueTask.CompletedTask;
    }
}
