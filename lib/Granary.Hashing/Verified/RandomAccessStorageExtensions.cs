namespace Granary.Hashing.Verified;

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
