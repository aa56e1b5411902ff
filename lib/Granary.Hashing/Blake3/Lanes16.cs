using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Granary.Hashing;

/// <summary>16 lanes of 512 bits: AVX-512F (native 32-bit rotations).</summary>
internal readonly unsafe struct Lanes16 : ISimdLanes<Vector512<uint>>
{
    public static bool IsSupported => Avx512F.IsSupported;
    public static int Degree => 16;
    public static bool StateFitsInRegisters => true;

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
        byte* ahead = HashManyKernel.PrefetchBase(firstInput, stride, blockOffset, 16);

        // Rows 4g..4g+3: after the two unpack steps, message[4g+j] holds, in 128-bit lane L,
        // column 4L+j of those four rows.
        for (int g = 0; g < 4; g++)
        {
            // Sixteen strided streams are more than the hardware prefetcher follows: ask for
            // each input's data a few blocks ahead, as the reference implementation does, and
            // for the next group's inputs near this group's end (HashManyKernel.PrefetchBase).
            Sse.Prefetch0(ahead + (((4 * g) + 0) * stride));
            Sse.Prefetch0(ahead + (((4 * g) + 1) * stride));
            Sse.Prefetch0(ahead + (((4 * g) + 2) * stride));
            Sse.Prefetch0(ahead + (((4 * g) + 3) * stride));
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
