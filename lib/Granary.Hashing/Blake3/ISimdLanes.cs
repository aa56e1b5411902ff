using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

/// <summary>4 lanes of 128 bits: SSE4.1 (with SSSE3 byte shuffles for the 16- and 8-bit rotations).</summary>
internal readonly unsafe struct Lanes4 : ISimdLanes<Vector128<uint>>
{
    public static bool IsSupported => Sse41.IsSupported && Ssse3.IsSupported;
    public static int Degree => 4;

    private static Vector128<byte> Rot16Mask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    }
    private static Vector128<byte> Rot8Mask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> Splat(uint value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> Add(Vector128<uint> a, Vector128<uint> b) => Sse2.Add(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> Xor(Vector128<uint> a, Vector128<uint> b) => Sse2.Xor(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> RotateRight16(Vector128<uint> a) => Ssse3.Shuffle(a.AsByte(), Rot16Mask).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> RotateRight12(Vector128<uint> a) => Sse2.Or(Sse2.ShiftRightLogical(a, 12), Sse2.ShiftLeftLogical(a, 20));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> RotateRight8(Vector128<uint> a) => Ssse3.Shuffle(a.AsByte(), Rot8Mask).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> RotateRight7(Vector128<uint> a) => Sse2.Or(Sse2.ShiftRightLogical(a, 7), Sse2.ShiftLeftLogical(a, 25));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<uint> Load(uint* source) => Sse2.LoadVector128(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<uint> value, uint* destination) => Sse2.Store(destination, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(byte* firstInput, nint stride, nint blockOffset, Vector128<uint>* message)
    {
        byte* p = firstInput + blockOffset;
        for (int quarter = 0; quarter < 4; quarter++)
        {
            var r0 = Sse2.LoadVector128((uint*)(p + (0 * stride) + (16 * quarter)));
            var r1 = Sse2.LoadVector128((uint*)(p + (1 * stride) + (16 * quarter)));
            var r2 = Sse2.LoadVector128((uint*)(p + (2 * stride) + (16 * quarter)));
            var r3 = Sse2.LoadVector128((uint*)(p + (3 * stride) + (16 * quarter)));
            var t0 = Sse2.UnpackLow(r0, r1).AsUInt64();
            var t1 = Sse2.UnpackHigh(r0, r1).AsUInt64();
            var t2 = Sse2.UnpackLow(r2, r3).AsUInt64();
            var t3 = Sse2.UnpackHigh(r2, r3).AsUInt64();
            message[(4 * quarter) + 0] = Sse2.UnpackLow(t0, t2).AsUInt32();
            message[(4 * quarter) + 1] = Sse2.UnpackHigh(t0, t2).AsUInt32();
            message[(4 * quarter) + 2] = Sse2.UnpackLow(t1, t3).AsUInt32();
            message[(4 * quarter) + 3] = Sse2.UnpackHigh(t1, t3).AsUInt32();
        }
    }
}

/// <summary>8 lanes of 256 bits: AVX2.</summary>
internal readonly unsafe struct Lanes8 : ISimdLanes<Vector256<uint>>
{
    public static bool IsSupported => Avx2.IsSupported;
    public static int Degree => 8;

    private static Vector256<byte> Rot16Mask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    }
    private static Vector256<byte> Rot8Mask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> Splat(uint value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> Add(Vector256<uint> a, Vector256<uint> b) => Avx2.Add(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> Xor(Vector256<uint> a, Vector256<uint> b) => Avx2.Xor(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> RotateRight16(Vector256<uint> a) => Avx2.Shuffle(a.AsByte(), Rot16Mask).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> RotateRight12(Vector256<uint> a) => Avx2.Or(Avx2.ShiftRightLogical(a, 12), Avx2.ShiftLeftLogical(a, 20));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> RotateRight8(Vector256<uint> a) => Avx2.Shuffle(a.AsByte(), Rot8Mask).AsUInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> RotateRight7(Vector256<uint> a) => Avx2.Or(Avx2.ShiftRightLogical(a, 7), Avx2.ShiftLeftLogical(a, 25));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<uint> Load(uint* source) => Avx.LoadVector256(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<uint> value, uint* destination) => Avx.Store(destination, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(byte* firstInput, nint stride, nint blockOffset, Vector256<uint>* message)
    {
        byte* p = firstInput + blockOffset;
        for (int half = 0; half < 2; half++)
        {
            byte* q = p + (32 * half);
            if (half == 0)
            {
                for (int i = 0; i < 8; i++)
                {
                    Sse.Prefetch0(p + (i * stride) + 256);
                }
            }

            var r0 = Avx.LoadVector256((uint*)(q + (0 * stride)));
            var r1 = Avx.LoadVector256((uint*)(q + (1 * stride)));
            var r2 = Avx.LoadVector256((uint*)(q + (2 * stride)));
            var r3 = Avx.LoadVector256((uint*)(q + (3 * stride)));
            var r4 = Avx.LoadVector256((uint*)(q + (4 * stride)));
            var r5 = Avx.LoadVector256((uint*)(q + (5 * stride)));
            var r6 = Avx.LoadVector256((uint*)(q + (6 * stride)));
            var r7 = Avx.LoadVector256((uint*)(q + (7 * stride)));

            var t0 = Avx2.UnpackLow(r0, r1).AsUInt64();
            var t1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
            var t2 = Avx2.UnpackLow(r2, r3).AsUInt64();
            var t3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
            var t4 = Avx2.UnpackLow(r4, r5).AsUInt64();
            var t5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
            var t6 = Avx2.UnpackLow(r6, r7).AsUInt64();
            var t7 = Avx2.UnpackHigh(r6, r7).AsUInt64();

            // u_j holds column j of rows 0-3 in its low 128 bits and column j+4 in its high 128 bits.
            var u0 = Avx2.UnpackLow(t0, t2).AsUInt32();
            var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32();
            var u2 = Avx2.UnpackLow(t1, t3).AsUInt32();
            var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32();
            var u4 = Avx2.UnpackLow(t4, t6).AsUInt32();
            var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
            var u6 = Avx2.UnpackLow(t5, t7).AsUInt32();
            var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();

            Vector256<uint>* m = message + (8 * half);
            m[0] = Avx2.Permute2x128(u0, u4, 0x20);
            m[1] = Avx2.Permute2x128(u1, u5, 0x20);
            m[2] = Avx2.Permute2x128(u2, u6, 0x20);
            m[3] = Avx2.Permute2x128(u3, u7, 0x20);
            m[4] = Avx2.Permute2x128(u0, u4, 0x31);
            m[5] = Avx2.Permute2x128(u1, u5, 0x31);
            m[6] = Avx2.Permute2x128(u2, u6, 0x31);
            m[7] = Avx2.Permute2x128(u3, u7, 0x31);
        }
    }
}

/// <summary>16 lanes of 512 bits: AVX-512F (native 32-bit rotations).</summary>
internal readonly unsafe struct Lanes16 : ISimdLanes<Vector512<uint>>
{
    public static bool IsSupported => Avx512F.IsSupported;
    public static int Degree => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> Splat(uint value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> Add(Vector512<uint> a, Vector512<uint> b) => Avx512F.Add(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> Xor(Vector512<uint> a, Vector512<uint> b) => Avx512F.Xor(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> RotateRight16(Vector512<uint> a) => Avx512F.RotateRight(a, 16);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> RotateRight12(Vector512<uint> a) => Avx512F.RotateRight(a, 12);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> RotateRight8(Vector512<uint> a) => Avx512F.RotateRight(a, 8);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> RotateRight7(Vector512<uint> a) => Avx512F.RotateRight(a, 7);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<uint> Load(uint* source) => Avx512F.LoadVector512(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<uint> value, uint* destination) => Avx512F.Store(destination, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(byte* firstInput, nint stride, nint blockOffset, Vector512<uint>* message)
    {
        byte* p = firstInput + blockOffset;

        // Rows 4g..4g+3: after the two unpack steps, message[4g+j] holds, in 128-bit lane L,
        // column 4L+j of those four rows.
        for (int g = 0; g < 4; g++)
        {
            // Sixteen strided streams are more than the hardware prefetcher follows: ask for
            // each input's data a few blocks ahead, as the reference implementation does.
            Sse.Prefetch0(p + (((4 * g) + 0) * stride) + 256);
            Sse.Prefetch0(p + (((4 * g) + 1) * stride) + 256);
            Sse.Prefetch0(p + (((4 * g) + 2) * stride) + 256);
            Sse.Prefetch0(p + (((4 * g) + 3) * stride) + 256);
            var r0 = Avx512F.LoadVector512((uint*)(p + (((4 * g) + 0) * stride)));
            var r1 = Avx512F.LoadVector512((uint*)(p + (((4 * g) + 1) * stride)));
            var r2 = Avx512F.LoadVector512((uint*)(p + (((4 * g) + 2) * stride)));
            var r3 = Avx512F.LoadVector512((uint*)(p + (((4 * g) + 3) * stride)));
            var t0 = Avx512F.UnpackLow(r0, r1).AsUInt64();
            var t1 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
            var t2 = Avx512F.UnpackLow(r2, r3).AsUInt64();
            var t3 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
            message[(4 * g) + 0] = Avx512F.UnpackLow(t0, t2).AsUInt32();
            message[(4 * g) + 1] = Avx512F.UnpackHigh(t0, t2).AsUInt32();
            message[(4 * g) + 2] = Avx512F.UnpackLow(t1, t3).AsUInt32();
            message[(4 * g) + 3] = Avx512F.UnpackHigh(t1, t3).AsUInt32();
        }

        // Columns j, 4+j, 8+j, 12+j come from exactly the four vectors in those slots, so each
        // group of four is transposed in place: lane L of message[j], [4+j], [8+j], [12+j].
        for (int j = 0; j < 4; j++)
        {
            var w = Avx512F.Shuffle4x128(message[j], message[4 + j], 0x44);
            var x = Avx512F.Shuffle4x128(message[j], message[4 + j], 0xEE);
            var y = Avx512F.Shuffle4x128(message[8 + j], message[12 + j], 0x44);
            var z = Avx512F.Shuffle4x128(message[8 + j], message[12 + j], 0xEE);
            message[j] = Avx512F.Shuffle4x128(w, y, 0x88);
            message[4 + j] = Avx512F.Shuffle4x128(w, y, 0xDD);
            message[8 + j] = Avx512F.Shuffle4x128(x, z, 0x88);
            message[12 + j] = Avx512F.Shuffle4x128(x, z, 0xDD);
        }
    }
}
