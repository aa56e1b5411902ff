using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Granary.Hashing;

/// <summary>8 lanes of 256 bits: AVX2.</summary>
internal readonly unsafe struct Lanes8 : ISimdLanes<Vector256<uint>>
{
    public static bool IsSupported => Avx2.IsSupported;
    public static int Degree => 8;
    public static bool StateFitsInRegisters => Avx512F.IsSupported;

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
        byte* ahead = HashManyKernel.PrefetchBase(firstInput, stride, blockOffset, 8);
        for (int half = 0; half < 2; half++)
        {
            byte* q = p + (32 * half);
            if (half == 0)
            {
                for (int i = 0; i < 8; i++)
                {
                    Sse.Prefetch0(ahead + (i * stride));
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
