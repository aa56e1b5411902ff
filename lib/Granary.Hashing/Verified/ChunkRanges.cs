using System.Collections;
using System.Text;

namespace Granary.Hashing.Verified;

/// <summary>
/// A set of 1 KiB chunk numbers, stored as sorted half-open ranges: what a request asks for,
/// what a store has (present) or lacks (missing). Immutable; the last range may be open-ended
/// ("from chunk N to the end, whatever the size").
/// </summary>
/// <remarks>
/// Stored as boundaries b0 &lt; b1 &lt; b2 …: the set holds [b0, b1) ∪ [b2, b3) ∪ …, and an odd
/// count means the last range has no end. Every operation is one merge over both boundary lists.
/// </remarks>
public sealed class ChunkRanges : IEquatable<ChunkRanges>, IEnumerable<ChunkRange>
{
    private readonly ulong[] _boundaries;

    private ChunkRanges(ulong[] boundaries) => _boundaries = boundaries;

    /// <summary>No chunks.</summary>
    public static ChunkRanges Empty { get; } = new([]);

    /// <summary>Every chunk, whatever the blob's size.</summary>
    public static ChunkRanges All { get; } = new([0]);

    /// <summary>Chunks <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public static ChunkRanges Range(ulong start, ulong end) => start >= end ? Empty : new([start, end]);

    /// <summary>Chunk <paramref name="start"/> and every chunk after it.</summary>
    public static ChunkRanges From(ulong start) => new([start]);

    /// <summary>The one chunk <paramref name="chunk"/>.</summary>
    public static ChunkRanges Chunk(ulong chunk) => Range(chunk, chunk + 1);

    /// <summary>The chunks that hold any of bytes [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static ChunkRanges Bytes(ulong start, ulong end) =>
        start >= end ? Empty : Range(start / BaoTree.ChunkSize, ((end - 1) / BaoTree.ChunkSize) + 1);

    /// <summary>True when the set holds no chunk.</summary>
    public bool IsEmpty => _boundaries.Length == 0;

    /// <summary>True when the set holds every chunk.</summary>
    public bool IsAll => _boundaries is [0];

    /// <summary>True when the last range has no end.</summary>
    public bool IsOpenEnded => _boundaries.Length % 2 == 1;

    /// <summary>
    /// The set widened to whole groups of <paramref name="chunks"/> chunks (a range's start rounded
    /// down, its end up): what a verified encoding actually carries when blocks are that large.
    /// </summary>
    public ChunkRanges RoundOut(ulong chunks)
    {
        ArgumentOutOfRangeException.ThrowIfZero(chunks);
        ChunkRanges wide = Empty;
        foreach (ChunkRange range in this)
        {
            ulong start = range.Start / chunks * chunks;
            wide = wide.Union(range.End is { } end && end <= ulong.MaxValue - chunks ? Range(start, (end + chunks - 1) / chunks * chunks) : From(start));
        }

        return wide;
    }

    /// <summary>How many bytes of a blob of <paramref name="size"/> bytes the set covers (its chunks clipped to the blob).</summary>
    public long ByteCount(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        long total = 0;
        foreach (ChunkRange range in this)
        {
            long start = Clip(range.Start, size);
            long end = range.End is { } chunkEnd ? Clip(chunkEnd, size) : size;
            total += Math.Max(0, end - start);
        }

        return total;

        // A chunk number's first byte, at most the size (and without overflow for huge numbers).
        static long Clip(ulong chunk, long size) => chunk > (ulong)size / BaoTree.ChunkSize ? size : Math.Min((long)chunk * BaoTree.ChunkSize, size);
    }

    /// <summary>The boundary list (for serialisation): alternately the start and end of each range.</summary>
    public IReadOnlyList<ulong> Boundaries => _boundaries;

    /// <summary>Builds a set from a boundary list, checking that it is strictly increasing.</summary>
    /// <exception cref="ArgumentException">The list is not strictly increasing.</exception>
    public static ChunkRanges FromBoundaries(IReadOnlyList<ulong> boundaries)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        for (int i = 1; i < boundaries.Count; i++)
        {
            if (boundaries[i] <= boundaries[i - 1])
            {
                throw new ArgumentException(
                    $"Chunk range boundaries must increase strictly; boundary {i} ({boundaries[i]}) is not above boundary {i - 1} ({boundaries[i - 1]}).",
                    nameof(boundaries));
            }
        }

        return boundaries.Count == 0 ? Empty : new ChunkRanges([.. boundaries]);
    }

    /// <summary>Whether chunk <paramref name="chunk"/> is in the set.</summary>
    public bool Contains(ulong chunk)
    {
        // The number of boundaries at or below the chunk is odd exactly when the chunk is inside a range.
        int index = Array.BinarySearch(_boundaries, chunk);
        int atOrBelow = index >= 0 ? index + 1 : ~index;
        return atOrBelow % 2 == 1;
    }

    /// <summary>Whether any chunk in [<paramref name="start"/>, <paramref name="end"/>) is in the set.</summary>
    public bool Intersects(ulong start, ulong end)
    {
        if (start >= end)
        {
            return false;
        }

        if (Contains(start))
        {
            return true;
        }

        // Otherwise some range must begin inside (start, end): the first boundary above start.
        int index = Array.BinarySearch(_boundaries, start);
        int next = index >= 0 ? index + 1 : ~index;
        return next < _boundaries.Length && _boundaries[next] < end;
    }

    /// <summary>Chunks in either set.</summary>
    public ChunkRanges Union(ChunkRanges other) => Combine(this, other, static (a, b) => a | b);

    /// <summary>Chunks in both sets.</summary>
    public ChunkRanges Intersect(ChunkRanges other) => Combine(this, other, static (a, b) => a & b);

    /// <summary>Chunks in this set and not in <paramref name="other"/>.</summary>
    public ChunkRanges Difference(ChunkRanges other) => Combine(this, other, static (a, b) => a & !b);

    /// <summary>Chunks not in this set.</summary>
    public ChunkRanges Complement() => Combine(this, Empty, static (a, _) => !a);

    /// <summary>Union.</summary>
    public static ChunkRanges operator |(ChunkRanges left, ChunkRanges right) => left.Union(right);

    /// <summary>Intersection.</summary>
    public static ChunkRanges operator &(ChunkRanges left, ChunkRanges right) => left.Intersect(right);

    /// <summary>Difference.</summary>
    public static ChunkRanges operator -(ChunkRanges left, ChunkRanges right) => left.Difference(right);

    /// <summary>The ranges in increasing order; an open-ended last range has <see cref="ChunkRange.End"/> = null.</summary>
    public IEnumerator<ChunkRange> GetEnumerator()
    {
        for (int i = 0; i < _boundaries.Length; i += 2)
        {
            yield return new ChunkRange(_boundaries[i], i + 1 < _boundaries.Length ? _boundaries[i + 1] : null);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(ChunkRanges? other) => other is not null && _boundaries.AsSpan().SequenceEqual(other._boundaries);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ChunkRanges);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (ulong boundary in _boundaries)
        {
            hash.Add(boundary);
        }

        return hash.ToHashCode();
    }

    /// <summary>Like <c>{0..4, 8..}</c>: chunk numbers, end exclusive.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("{");
        foreach (ChunkRange range in this)
        {
            text.Append(text.Length > 1 ? ", " : string.Empty).Append(range);
        }

        return text.Append('}').ToString();
    }

    /// <summary>
    /// Walks both boundary lists in order, tracking membership in each, and emits a boundary
    /// wherever the combined membership changes.
    /// </summary>
    private static ChunkRanges Combine(ChunkRanges left, ChunkRanges right, Func<bool, bool, bool> rule)
    {
        ulong[] a = left._boundaries;
        ulong[] b = right._boundaries;
        var result = new List<ulong>(a.Length + b.Length + 1);
        bool inA = false, inB = false;
        bool inResult = rule(false, false);
        if (inResult)
        {
            result.Add(0);
        }

        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            ulong next = Math.Min(i < a.Length ? a[i] : ulong.MaxValue, j < b.Length ? b[j] : ulong.MaxValue);
            if (i < a.Length && a[i] == next)
            {
                inA = !inA;
                i++;
            }

            if (j < b.Length && b[j] == next)
            {
                inB = !inB;
                j++;
            }

            bool now = rule(inA, inB);
            if (now != inResult)
            {
                // A range that would start and end at 0 was already opened above; cancel it instead.
                if (result.Count > 0 && result[^1] == next)
                {
                    result.RemoveAt(result.Count - 1);
                }
                else
                {
                    result.Add(next);
                }

                inResult = now;
            }
        }

        return result.Count == 0 ? Empty : new ChunkRanges([.. result]);
    }
}
