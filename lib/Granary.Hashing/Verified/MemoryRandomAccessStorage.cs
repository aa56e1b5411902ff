namespace Granary.Hashing.Verified;

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
