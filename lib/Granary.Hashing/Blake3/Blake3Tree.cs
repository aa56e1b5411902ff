using System.Numerics;
using System.Runtime.CompilerServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing;

/// <summary>
/// Reduces a run of whole chunks to chaining values with the SIMD kernels: chunks are hashed
/// <c>Degree</c> at a time, then their parents likewise, level by level. This is the wide path
/// every large input takes (one-shot, incremental and the verified-streaming tree builder).
/// </summary>
internal static unsafe class Blake3Tree
{
    /// <summary>Chaining values a wide step may return: at least two, so a parent can be formed.</summary>
    private const int MaxSimdDegreeOr2 = MaxSimdDegree;

    /// <summary>
    /// The length of the left subtree of an input of <paramref name="contentLength"/> bytes: the
    /// largest power-of-two number of whole chunks that leaves at least one byte for the right.
    /// </summary>
    public static long LeftLength(long contentLength)
    {
        ulong fullChunks = (ulong)(contentLength - 1) / ChunkLen;
        return (long)LargestPowerOfTwoAtMost(fullChunks) * ChunkLen;
    }

    /// <summary>The largest power of two that is at most <paramref name="value"/> (which is at least 1).</summary>
    public static ulong LargestPowerOfTwoAtMost(ulong value) => 1UL << (63 - BitOperations.LeadingZeroCount(value));

    /// <summary>
    /// Hashes all whole chunks of <paramref name="input"/> (and a trailing partial chunk, if any)
    /// and writes their chaining values; returns how many it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CompressChunks(
        Blake3Backend backend, byte* input, long length, uint* key, ulong chunkCounter, uint flags, byte* output)
    {
        int wholeChunks = (int)(length / ChunkLen);
        Blake3Simd.HashMany(backend, input, wholeChunks, ChunkLen / BlockLen, key, chunkCounter, incrementCounter: true,
            flags, ChunkStart, ChunkEnd, output);

        long tail = length - ((long)wholeChunks * ChunkLen);
        if (tail == 0)
        {
            return wholeChunks;
        }

        // A partial chunk here is never the root: callers only pass inputs of more than one chunk.
        var chunk = new ChunkState(new ReadOnlySpan<uint>(key, 8), chunkCounter + (ulong)wholeChunks, flags);
        chunk.Update(new ReadOnlySpan<byte>(input + ((long)wholeChunks * ChunkLen), (int)tail));
        chunk.Output().ChainingValue(new Span<uint>(output + (wholeChunks * OutLen), 8));
        return wholeChunks + 1;
    }

    /// <summary>
    /// Combines pairs of chaining values into parents; an odd last one passes through unchanged.
    /// Returns how many values it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CompressParents(
        Blake3Backend backend, byte* childCvs, int count, uint* key, uint flags, byte* output)
    {
        int pairs = count / 2;
        Blake3Simd.HashMany(backend, childCvs, pairs, 1, key, 0, incrementCounter: false, flags | Parent, 0, 0, output);
        if (count % 2 == 1)
        {
            Buffer.MemoryCopy(childCvs + (pairs * 2 * OutLen), output + (pairs * OutLen), OutLen, OutLen);
            return pairs + 1;
        }

        return pairs;
    }

    /// <summary>
    /// Hashes a subtree of more than one chunk down to at most <see cref="MaxSimdDegree"/>
    /// (and at least two) chaining values, recursing on left-balanced halves.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CompressSubtreeWide(
        Blake3Backend backend, byte* input, long length, uint* key, ulong chunkCounter, uint flags, byte* output)
    {
        int degree = (int)backend;
        if (length <= (long)degree * ChunkLen)
        {
            return CompressChunks(backend, input, length, key, chunkCounter, flags, output);
        }

        long leftLength = LeftLength(length);
        byte* cvs = stackalloc byte[2 * MaxSimdDegreeOr2 * OutLen];

        // The left side returns at most max(degree, 2) values, except that a one-chunk left side
        // (only with the scalar backend) returns exactly one: the right side's values follow it.
        int leftSlots = leftLength == ChunkLen ? 1 : Math.Max(degree, 2);
        int leftCount = CompressSubtreeWide(backend, input, leftLength, key, chunkCounter, flags, cvs);
        int rightCount = CompressSubtreeWide(
            backend, input + leftLength, length - leftLength, key, chunkCounter + (ulong)(leftLength / ChunkLen), flags,
            cvs + (leftSlots * OutLen));

        if (leftCount == 1)
        {
            // Only the scalar backend with a two-chunk input gets here: the two values are the answer.
            Buffer.MemoryCopy(cvs, output, 2 * OutLen, 2 * OutLen);
            return 2;
        }

        return CompressParents(backend, cvs, leftCount + rightCount, key, flags, output);
    }

    /// <summary>
    /// Hashes a subtree of more than one chunk down to its top parent node's block: the left and
    /// right children's chaining values (64 bytes). The parent itself is not compressed, because
    /// the caller knows whether it is the root.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressSubtreeToParentNode(
        Blake3Backend backend, byte* input, long length, uint* key, ulong chunkCounter, uint flags, byte* parentBlock)
    {
        byte* cvs = stackalloc byte[MaxSimdDegreeOr2 * OutLen];
        int count = CompressSubtreeWide(backend, input, length, key, chunkCounter, flags, cvs);
        byte* next = stackalloc byte[MaxSimdDegreeOr2 * OutLen];
        while (count > 2)
        {
            count = CompressParents(backend, cvs, count, key, flags, next);
            Buffer.MemoryCopy(next, cvs, count * OutLen, count * OutLen);
        }

        Buffer.MemoryCopy(cvs, parentBlock, 2 * OutLen, 2 * OutLen);
    }
}
