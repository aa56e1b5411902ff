namespace Granary.Hashing;

/// <summary>One-shot BLAKE3 over a span. For streams, pieces or extendable output use <see cref="Blake3Hasher"/>.</summary>
public static class Blake3
{
    /// <summary>The default-mode hash of <paramref name="input"/>.</summary>
    public static Blake3Hash Hash(ReadOnlySpan<byte> input) => new Blake3Hasher().Update(input).Finalize();

    /// <summary>The keyed-mode hash of <paramref name="input"/> under a 32-byte <paramref name="key"/>.</summary>
    public static Blake3Hash KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input) =>
        Blake3Hasher.NewKeyed(key).Update(input).Finalize();

    /// <summary>Derives <paramref name="output"/>.Length bytes of key from <paramref name="keyMaterial"/> under <paramref name="context"/>.</summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output) =>
        Blake3Hasher.NewDeriveKey(context).Update(keyMaterial).Finalize(output);

    /// <summary>
    /// The default-mode hash of <paramref name="input"/>, spread over up to
    /// <paramref name="threads"/> threads (0 = one per core).
    /// </summary>
    public static Blake3Hash HashParallel(ReadOnlySpan<byte> input, int threads = 0) =>
        new Blake3Hasher().UpdateParallel(input, threads == 0 ? Environment.ProcessorCount : threads).Finalize();

    /// <summary>Hashes a whole stream from its current position to its end.</summary>
    public static async Task<Blake3Hash> HashAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var hasher = new Blake3Hasher();
        await hasher.UpdateAsync(stream, cancellationToken).ConfigureAwait(false);
        return hasher.Finalize();
    }
}
