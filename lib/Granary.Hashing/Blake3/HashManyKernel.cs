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
    /// <summary>How far ahead of the block being read each input is prefetched, in bytes.</summary>
    private const nint PrefetchDistance = 4 * BlockLen;

    /// <summary>
    /// Where to prefetch for the block at <paramref name="blockOffset"/> of the group whose first
    /// input is <paramref name="firstInput"/>: input i's address is the result + i *
    /// <paramref name="stride"/>. Near the inputs' end, ahead is the next group's inputs (the
    /// inputs of a batch lie back to back), not the group's next input, which is already loaded:
    /// without it the first four blocks of every chunk were demand misses, a third of the
    /// kernel's samples (perf annotate: the first row loads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* PrefetchBase(byte* firstInput, nint stride, nint blockOffset, int degree)
    {
        nint ahead = blockOffset + PrefetchDistance;
        return ahead < stride ? firstInput + ahead : firstInput + (degree * stride) + (ahead - stride);
    }

    /// <summary>
    /// Hashes exactly <c>TLanes.Degree</c> inputs of <paramref name="blocks"/> 64-byte blocks each,
    /// input i starting at <c>input + i * stride</c>, and writes their 32-byte chaining values
    /// one after another to <paramref name="output"/>.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        // Aligned to a cache line: a 64-byte vector that straddles two lines costs two loads.
        // 16 message words, then room for one state vector (see StateFitsInRegisters).
        byte* messageSpace = stackalloc byte[(17 * sizeof(TVec)) + 64];
        TVec* m = (TVec*)(((nint)messageSpace + 63) & ~(nint)63);

        for (int b = 0; b < blocks; b++)
        {
            TLanes.LoadTransposed(input, stride, (nint)b * BlockLen, m);
            uint blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);

            TVec v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            TVec v8 = TLanes.Splat(Iv0), v9 = TLanes.Splat(Iv1), v10 = TLanes.Splat(Iv2), v11 = TLanes.Splat(Iv3);
            TVec v12 = counterLow, v13 = counterHigh, v14 = blockLen, v15 = TLanes.Splat(blockFlags);

            if (TLanes.StateFitsInRegisters)
            {
                Rounds<TLanes, TVec>(
                    ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
                    ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m);
            }
            else
            {
                // With 16 registers, v8 lives in memory as BLAKE3's own AVX2 assembly keeps it
                // (blake3_avx2_x86-64_unix.S): each of its uses is one memory operand, and the
                // register it frees holds the rotations' temporary instead of spilling on every one.
                TVec* v8InMemory = m + 16;
                *v8InMemory = v8;
                Rounds<TLanes, TVec>(
                    ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
                    ref *v8InMemory, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15, m);
                v8 = *v8InMemory;
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

    /// <summary>BLAKE3's seven rounds on the state v0..v15 with message words m[0..15].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rounds<TLanes, TVec>(
        ref TVec v0, ref TVec v1, ref TVec v2, ref TVec v3, ref TVec v4, ref TVec v5, ref TVec v6, ref TVec v7,
        ref TVec v8, ref TVec v9, ref TVec v10, ref TVec v11, ref TVec v12, ref TVec v13, ref TVec v14, ref TVec v15,
        TVec* m)
        where TLanes : struct, ISimdLanes<TVec>
        where TVec : unmanaged
    {
        ReadOnlySpan<byte> schedule = Schedule;
        for (int r = 0; r < 7; r++)
        {
            ReadOnlySpan<byte> s = schedule.Slice(r * 16, 16);

            // Columns, then diagonals: four independent G functions each. G4 interleaves their
            // a and d steps operation by operation (four chains in flight) and takes the c and b
            // steps column by column (so a state row kept in memory is read and written once).
            G4<TLanes, TVec>(
                ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7,
                ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15,
                m, s[..8]);
            G4<TLanes, TVec>(
                ref v0, ref v1, ref v2, ref v3, ref v5, ref v6, ref v7, ref v4,
                ref v10, ref v11, ref v8, ref v9, ref v15, ref v12, ref v13, ref v14,
                m, s[8..]);
        }
    }

    /// <summary>
    /// Four G functions on (a_i, b_i, c_i, d_i) with message words m[s[2i]], m[s[2i+1]].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G4<TLanes, TVec>(
        ref TVec a0, ref TVec a1, ref TVec a2, ref TVec a3, ref TVec b0, ref TVec b1, ref TVec b2, ref TVec b3,
        ref TVec c0, ref TVec c1, ref TVec c2, ref TVec c3, ref TVec d0, ref TVec d1, ref TVec d2, ref TVec d3,
        TVec* m, ReadOnlySpan<byte> s)
        where TLanes : struct, ISimdLanes<TVec>
        where TVec : unmanaged
    {
        a0 = TLanes.Add(TLanes.Add(a0, b0), m[s[0]]);
        a1 = TLanes.Add(TLanes.Add(a1, b1), m[s[2]]);
        a2 = TLanes.Add(TLanes.Add(a2, b2), m[s[4]]);
        a3 = TLanes.Add(TLanes.Add(a3, b3), m[s[6]]);
        d0 = TLanes.RotateRight16(TLanes.Xor(d0, a0));
        d1 = TLanes.RotateRight16(TLanes.Xor(d1, a1));
        d2 = TLanes.RotateRight16(TLanes.Xor(d2, a2));
        d3 = TLanes.RotateRight16(TLanes.Xor(d3, a3));
        // One column at a time, each c read once through a local: v8, kept in memory when the
        // registers are too few, is then one load and one store, and no more than one sum is live.
        TVec e = TLanes.Add(c0, d0);
        c0 = e;
        b0 = TLanes.RotateRight12(TLanes.Xor(b0, e));
        e = TLanes.Add(c1, d1);
        c1 = e;
        b1 = TLanes.RotateRight12(TLanes.Xor(b1, e));
        e = TLanes.Add(c2, d2);
        c2 = e;
        b2 = TLanes.RotateRight12(TLanes.Xor(b2, e));
        e = TLanes.Add(c3, d3);
        c3 = e;
        b3 = TLanes.RotateRight12(TLanes.Xor(b3, e));
        a0 = TLanes.Add(TLanes.Add(a0, b0), m[s[1]]);
        a1 = TLanes.Add(TLanes.Add(a1, b1), m[s[3]]);
        a2 = TLanes.Add(TLanes.Add(a2, b2), m[s[5]]);
        a3 = TLanes.Add(TLanes.Add(a3, b3), m[s[7]]);
        d0 = TLanes.RotateRight8(TLanes.Xor(d0, a0));
        d1 = TLanes.RotateRight8(TLanes.Xor(d1, a1));
        d2 = TLanes.RotateRight8(TLanes.Xor(d2, a2));
        d3 = TLanes.RotateRight8(TLanes.Xor(d3, a3));
        e = TLanes.Add(c0, d0);
        c0 = e;
        b0 = TLanes.RotateRight7(TLanes.Xor(b0, e));
        e = TLanes.Add(c1, d1);
        c1 = e;
        b1 = TLanes.RotateRight7(TLanes.Xor(b1, e));
        e = TLanes.Add(c2, d2);
        c2 = e;
        b2 = TLanes.RotateRight7(TLanes.Xor(b2, e));
        e = TLanes.Add(c3, d3);
        c3 = e;
        b3 = TLanes.RotateRight7(TLanes.Xor(b3, e));
    }
}
