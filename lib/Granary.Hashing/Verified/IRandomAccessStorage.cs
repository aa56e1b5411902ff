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
