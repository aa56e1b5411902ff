namespace Granary.Hashing;

/// <summary>Sizes, flags and the initial vector of BLAKE3, as fixed by the BLAKE3 specification.</summary>
internal static class Blake3Constants
{
    public const int OutLen = 32;
    public const int KeyLen = 32;
    public const int BlockLen = 64;
    public const int ChunkLen = 1024;
    public const int ChunkLog = 10;

    /// <summary>The widest SIMD degree any backend uses; sizes the on-stack chaining-value arrays.</summary>
    public const int MaxSimdDegree = 16;

    /// <summary>
    /// A tree over 2^64 bytes has at most 54 levels of chunk chaining values above its chunks,
    /// so the incremental hasher's stack never holds more than this.
    /// </summary>
    public const int MaxDepth = 54;

    public const uint ChunkStart = 1 << 0;
    public const uint ChunkEnd = 1 << 1;
    public const uint Parent = 1 << 2;
    public const uint Root = 1 << 3;
    public const uint KeyedHash = 1 << 4;
    public const uint DeriveKeyContext = 1 << 5;
    public const uint DeriveKeyMaterial = 1 << 6;

    public const uint Iv0 = 0x6A09E667, Iv1 = 0xBB67AE85, Iv2 = 0x3C6EF372, Iv3 = 0xA54FF53A;
    public const uint Iv4 = 0x510E527F, Iv5 = 0x9B05688C, Iv6 = 0x1F83D9AB, Iv7 = 0x5BE0CD19;

    /// <summary>The eight IV words, used as the key of the unkeyed modes.</summary>
    public static ReadOnlySpan<uint> Iv => [Iv0, Iv1, Iv2, Iv3, Iv4, Iv5, Iv6, Iv7];

    /// <summary>
    /// Message word order of each of the seven rounds: round r+1 is round r through the
    /// specification's permutation [2,6,3,10,7,0,4,13,1,11,12,5,9,14,15,8].
    /// </summary>
    public static ReadOnlySpan<byte> Schedule =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
        3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
        10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
        12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
        9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
        11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
    ];
}
