namespace Granary.Hashing;

/// <summary>
/// One SIMD width for <see cref="HashManyKernel"/>: lane i of every vector belongs to input i.
/// The kernel's rounds are written once against this interface; each width supplies only what
/// differs between instruction sets (rotations and the message transpose).
/// </summary>
internal unsafe interface ISimdLanes<TVec> where TVec : unmanaged
{
    /// <summary>Inputs hashed at once.</summary>
    static abstract int Degree { get; }

    /// <summary>
    /// Whether the 16 state vectors, the rotations' temporary and the byte-shuffle masks fit the
    /// vector registers at once (32 with AVX-512's EVEX encoding; 16 without). When they do not,
    /// the kernel keeps one state vector in memory so that the register allocator has a free
    /// register instead of spilling around every rotation.
    /// </summary>
    static abstract bool StateFitsInRegisters { get; }

    static abstract TVec Splat(uint value);
    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Xor(TVec a, TVec b);
    static abstract TVec RotateRight16(TVec a);
    static abstract TVec RotateRight12(TVec a);
    static abstract TVec RotateRight8(TVec a);
    static abstract TVec RotateRight7(TVec a);
    static abstract TVec Load(uint* source);
    static abstract void Store(TVec value, uint* destination);

    /// <summary>
    /// Reads block <paramref name="blockOffset"/> of <c>Degree</c> inputs spaced
    /// <paramref name="stride"/> bytes apart and writes message word w of input i to lane i of
    /// <c>message[w]</c>.
    /// </summary>
    static abstract void LoadTransposed(byte* firstInput, nint stride, nint blockOffset, TVec* message);
}
