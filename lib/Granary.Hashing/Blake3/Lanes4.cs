using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Granary.Hashing;

/// <summary>4 lanes of 128 bits: SSE4.1 (with SSSE3 byte shuffles for the 16- and 8-bit rotations).</summary>
internal readonly unsafe struct Lanes4 : ISimdLanes<Vector128<uint>>
{
    public static bool IsSupported => Sse41.IsSupported && Ssse3.IsSupported;
    public static int Degree => 4;
    public static bool StateFitsInRegisters => Avx512F.IsSupported;

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
