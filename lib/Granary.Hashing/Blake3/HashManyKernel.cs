using System.Runtime.CompilerServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// Hashes <c>Degree</c> equally long, independent inputs at once (whole chunks, or parent
/// blocks), one input per SIMD lane. Written once for every width through
/// <see cref="ISimdLanes{TVec}"/>; the JIT specialises it per width because the lane types are structs.
/// </summary>
internal static unsafe class HashManyKernel
{
    /// <summary>
    /// Hashes exactly <c>TLanes.Degree</c> inputs of <paramref name="blocks"/> 64-byte blocks each,
    /// input i starting at <c>input + i * stride</c>, and writes their 32-byte chaining values
    /// one after another to <paramref name="output"/>.
    /// </summary>
    [SkipLocalsInit]
    public static void HashGroup<TLanes, TVec>(
        byte* input, nint stride, int blocks, uint* key, ulong counter, bool incrementCounter,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
        where TLanes : struct, ISimdLanes<TVec>
        where TVec : unmanaged
    {
        int degree = TLanes.Degree;
        uint* lanes = stackalloc uint[MaxSimdDegree];
        for (int i = 0; i < degree; i++)
        {
            lanes[i] = (uint)(counter + (incrementCounter ? (ulong)i : 0));
        }

        TVec counterLow = TLanes.Load(lanes);
        for (int i = 0; i < degree; i++)
        {
            lanes[i] = (uint)((counter + (incrementCounter ? (ulong)i : 0)) >> 32);
        }

        TVec counterHigh = TLanes.Load(lanes);

        TVec h0 = TLanes.Splat(key[0]), h1 = TLanes.Splat(key[1]), h2 = TLanes.Splat(key[2]), h3 = TLanes.Splat(key[3]);
        TVec h4 = TLanes.Splat(key[4]), h5 = TLanes.Splat(key[5]), h6 = TLanes.Splat(key[6]), h7 = TLanes.Splat(key[7]);
        TVec blockLen = TLanes.Splat(BlockLen);
        TVec* m = stackalloc TVec[16];
        ReadOnlySpan<byte> schedule = Schedule;

        for (int b = 0; b < blocks; b++)
        {
            TLanes.LoadTransposed(input, stride, (nint)b * BlockLen, m);
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);

            TVec v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            TVec v8 = TLanes.Splat(Iv0), v9 = TLanes.Splat(Iv1), v10 = TLanes.Splat(Iv2), v11 = TLanes.Splat(Iv3);
            TVec v12 = counterLow, v13 = counterHigh, v14 = blockLen, v15 = TLanes.Splat(blockFlags);

            for (int r = 0; r < 7; r++)
            {
                ReadOnlySpan<byte> s = schedule.Slice(r * 16, 16);
                G<TLanes, TVec>(ref v0, ref v4, ref v8, ref v12, m[s[0]], m[s[1]]);
                G<TLanes, TVec>(ref v1, ref v5, ref v9, ref v13, m[s[2]], m[s[3]]);
                G<TLanes, TVec>(ref v2, ref v6, ref v10, ref v14, m[s[4]], m[s[5]]);
                G<TLanes, TVec>(ref v3, ref v7, ref v11, ref v15, m[s[6]], m[s[7]]);
                G<TLanes, TVec>(ref v0, ref v5, ref v10, ref v15, m[s[8]], m[s[9]]);
                G<TLanes, TVec>(ref v1, ref v6, ref v11, ref v12, m[s[10]], m[s[11]]);
                G<TLanes, TVec>(ref v2, ref v7, ref v8, ref v13, m[s[12]], m[s[13]]);
                G<TLanes, TVec>(ref v3, ref v4, ref v9, ref v14, m[s[14]], m[s[15]]);
            }

            h0 = TLanes.Xor(v0, v8);
            h1 = TLanes.Xor(v1, v9);
            h2 = TLanes.Xor(v2, v10);
            h3 = TLanes.Xor(v3, v11);
            h4 = TLanes.Xor(v4, v12);
            h5 = TLanes.Xor(v5, v13);
            h6 = TLanes.Xor(v6, v14);
            h7 = TLanes.Xor(v7, v15);
        }

        // Lane i of h_w is word w of input i's chaining value: transpose back through a small buffer.
        uint* words = stackalloc uint[8 * MaxSimdDegree];
        TLanes.Store(h0, words + (0 * degree));
        TLanes.Store(h1, words + (1 * degree));
        TLanes.Store(h2, words + (2 * degree));
        TLanes.Store(h3, words + (3 * degree));
        TLanes.Store(h4, words + (4 * degree));
        TLanes.Store(h5, words + (5 * degree));
        TLanes.Store(h6, words + (6 * degree));
        TLanes.Store(h7, words + (7 * degree));
        uint* cvs = (uint*)output;
        for (int i = 0; i < degree; i++)
        {
            for (int w = 0; w < 8; w++)
            {
                cvs[(i * 8) + w] = words[(w * degree) + i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G<TLanes, TVec>(ref TVec a, ref TVec b, ref TVec c, ref TVec d, TVec x, TVec y)
        where TLanes : struct, ISimdLanes<TVec>
        where TVec : unmanaged
    {
        a = TLanes.Add(TLanes.Add(a, b), x);
        d = TLanes.RotateRight16(TLanes.Xor(d, a));
        c = TLanes.Add(c, d);
        b = TLanes.RotateRight12(TLanes.Xor(b, c));
        a = TLanes.Add(TLanes.Add(a, b), y);
        d = TLanes.RotateRight8(TLanes.Xor(d, a));
        c = TLanes.Add(c, d);
        b = TLanes.RotateRight7(TLanes.Xor(b, c));
    }
}
