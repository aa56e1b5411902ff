using System.Buffers;

namespace Granary.Hashing;

/// <summary>Feeding a <see cref="Blake3Hasher"/> from a <see cref="Stream"/>.</summary>
public static class Blake3HasherStreamExtensions
{
    /// <summary>Large enough that whole 16-chunk batches reach the SIMD kernels, small enough to stay in L2.</summary>
    private const int ReadBufferSize = 256 * 1024;

    /// <summary>Absorbs the stream from its current position to its end, reading with a pooled buffer.</summary>
    public static async Task UpdateAsync(this Blake3Hasher hasher, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(stream);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
