using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// The portable BLAKE3 compression function on one 64-byte block. The SIMD kernels hash many
/// independent inputs at once; this serves single blocks (partial chunks, the last parents, XOF
/// output) and is the reference the SIMD paths are tested against.
/// </summary>
internal static class Blake3Compression
{
    /// <summary>Compresses one block and returns all 16 state words (the XOF form).</summary>
    public static void CompressXof(
        ReadOnlySpan<uint> cv, ReadOnlySpan<byte> block, uint blockLen, ulong counter, uint flags, Span<uint> out16)
    {
        Span<uint> m = stackalloc uint[16];
        LoadBlock(block, m);
        Span<uint> v = stackalloc uint[16];
        Rounds(cv, m, blockLen, counter, flags, v);
        for (int i = 0; i < 8; i++)
        {
            out16[i] = v[i] ^ v[i + 8];
            out16[i + 8] = v[i + 8] ^ cv[i];
        }
    }

    /// <summary>Compresses one block and returns the 8-word chaining value.</summary>
    public static void Compress(
        ReadOnlySpan<uint> cv, ReadOnlySpan<byte> block, uint blockLen, ulong counter, uint flags, Span<uint> out8)
    {
        Span<uint> m = stackalloc uint[16];
        LoadBlock(block, m);
        Span<uint> v = stackalloc uint[16];
        Rounds(cv, m, blockLen, counter, flags, v);
        for (int i = 0; i < 8; i++)
        {
            out8[i] = v[i] ^ v[i + 8];
        }
    }

    private static void LoadBlock(ReadOnlySpan<byte> block, Span<uint> m)
    {
        if (BitConverter.IsLittleEndian && block.Length == BlockLen)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(block).CopyTo(m);
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
    private static void Rounds(ReadOnlySpan<uint> cv, ReadOnlySpan<uint> m, uint blockLen, ulong counter, uint flags, Span<uint> v)
    {
        cv[..8].CopyTo(v);
        v[8] = Iv0;
        v[9] = Iv1;
        v[10] = Iv2;
        v[11] = Iv3;
        v[12] = (uint)counter;
        v[13] = (uint)(counter >> 32);
        v[14] = blockLen;
        v[15] = flags;

        ReadOnlySpan<byte> schedule = Schedule;
        for (int r = 0; r < 7; r++)
        {
            ReadOnlySpan<byte> s = schedule.Slice(r * 16, 16);
            G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(Span<uint> v, int a, int b, int c, int d, uint x, uint y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 12);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 8);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 7);
    }
}
