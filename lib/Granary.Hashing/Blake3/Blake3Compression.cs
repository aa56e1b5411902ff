using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// The portable BLAKE3 compression function on one 64-byte block. The SIMD kernels hash many
/// independent inputs at once; this serves single blocks (the parents inside a 16 KiB block,
/// partial chunks, the root, XOF output) and is the reference the SIMD paths are tested against.
/// </summary>
/// <remarks>
/// The state lives in sixteen locals rather than an array: indexing a span costs a bounds check
/// per access, and this runs several times per 16 KiB block of verified streaming.
/// </remarks>
internal static unsafe class Blake3Compression
{
    /// <summary>Compresses one block and returns all 16 state words (the XOF form).</summary>
    public static void CompressXof(
        ReadOnlySpan<uint> cv, ReadOnlySpan<byte> block, uint blockLen, ulong counter, uint flags, Span<uint> out16)
    {
        uint* state = stackalloc uint[16];
        Run(cv, block, blockLen, counter, flags, state);
        for (int i = 0; i < 8; i++)
        {
            out16[i] = state[i] ^ state[i + 8];
            out16[i + 8] = state[i + 8] ^ cv[i];
        }
    }

    /// <summary>Compresses one block and writes the 8-word chaining value (which may alias <paramref name="cv"/>).</summary>
    public static void Compress(
        ReadOnlySpan<uint> cv, ReadOnlySpan<byte> block, uint blockLen, ulong counter, uint flags, Span<uint> out8)
    {
        uint* state = stackalloc uint[16];
        Run(cv, block, blockLen, counter, flags, state);
        for (int i = 0; i < 8; i++)
        {
            out8[i] = state[i] ^ state[i + 8];
        }
    }

    /// <summary>The seven rounds on one block; <paramref name="state"/> receives the 16 final state words.</summary>
    private static void Run(ReadOnlySpan<uint> cv, ReadOnlySpan<byte> block, uint blockLen, ulong counter, uint flags, uint* state)
    {
        uint* m = stackalloc uint[16];
        LoadBlock(block, m);
        fixed (uint* key = cv)
        {
            Rounds(key, m, blockLen, counter, flags, state);
        }
    }

    private static void LoadBlock(ReadOnlySpan<byte> block, uint* m)
    {
        if (BitConverter.IsLittleEndian && block.Length == BlockLen)
        {
            MemoryMarshal.Cast<byte, uint>(block).CopyTo(new Span<uint>(m, 16));
            return;
        }

        // A short block is zero-padded, as the specification requires for the last block of a chunk.
        Span<byte> padded = stackalloc byte[BlockLen];
        padded.Clear();
        block.CopyTo(padded);
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(padded[(4 * i)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rounds(uint* cv, uint* m, uint blockLen, ulong counter, uint flags, uint* state)
    {
        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = Iv0, v9 = Iv1, v10 = Iv2, v11 = Iv3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;

        // The schedule is static data in the image: it never moves, so a raw pointer is safe.
        byte* s = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(Schedule));
        for (int r = 0; r < 7; r++, s += 16)
        {
            G(ref v0, ref v4, ref v8, ref v12, m[s[0]], m[s[1]]);
            G(ref v1, ref v5, ref v9, ref v13, m[s[2]], m[s[3]]);
            G(ref v2, ref v6, ref v10, ref v14, m[s[4]], m[s[5]]);
            G(ref v3, ref v7, ref v11, ref v15, m[s[6]], m[s[7]]);
            G(ref v0, ref v5, ref v10, ref v15, m[s[8]], m[s[9]]);
            G(ref v1, ref v6, ref v11, ref v12, m[s[10]], m[s[11]]);
            G(ref v2, ref v7, ref v8, ref v13, m[s[12]], m[s[13]]);
            G(ref v3, ref v4, ref v9, ref v14, m[s[14]], m[s[15]]);
        }

        state[0] = v0;
        state[1] = v1;
        state[2] = v2;
        state[3] = v3;
        state[4] = v4;
        state[5] = v5;
        state[6] = v6;
        state[7] = v7;
        state[8] = v8;
        state[9] = v9;
        state[10] = v10;
        state[11] = v11;
        state[12] = v12;
        state[13] = v13;
        state[14] = v14;
        state[15] = v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref uint a, ref uint b, ref uint c, ref uint d, uint x, uint y)
    {
        a = a + b + x;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 12);
        a = a + b + y;
        d = BitOperations.RotateRight(d ^ a, 8);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 7);
    }
}
