namespace Granary.Hashing;

/// <summary>The instruction sets BLAKE3 can run on, widest last.</summary>
public enum Blake3Backend
{
    /// <summary>Portable code, one input at a time.</summary>
    Scalar = 1,

    /// <summary>SSE4.1: 4 inputs at once.</summary>
    Sse41 = 4,

    /// <summary>AVX2: 8 inputs at once.</summary>
    Avx2 = 8,

    /// <summary>AVX-512F: 16 inputs at once.</summary>
    Avx512 = 16,
}
