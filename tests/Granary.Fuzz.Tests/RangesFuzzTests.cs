using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Hashing.Verified;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes range specs: the <c>ranges</c>/<c>present</c> boundary lists of <c>get</c>, <c>push</c> and
/// <c>observe</c> as <see cref="MetadataBlock.Ranges"/> reads them, and what a silo then does with a
/// client's ranges (<see cref="BaoTree.Normalize"/> against the blob's size, rounding out to blocks,
/// counting bytes and the encoding's length, set operations). Inputs: valid range sets, edited
/// (swapped, repeated, negated, extreme boundaries, inserted and removed ones) and random lists, with
/// blob sizes from 0 to the type's edge. Proves: a bad list is refused only with a 400
/// <see cref="BlobProtocolException"/> (and <see cref="ChunkRanges.FromBoundaries"/> only with its
/// documented <see cref="ArgumentException"/>); what is accepted never makes the silo's arithmetic
/// throw or overflow, and normalizes to chunks inside the blob; within the time and allocation bounds.
/// </summary>
/// <remarks>
/// There is no textual range syntax ("0-99,200-") anywhere in the tree: ranges are only ever these
/// boundary lists, on the wire and in the client API.
/// </remarks>
public sealed class RangesFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<long[]> ValidBoundaries = Values.Ranges.Select(r => MetadataBlock.RangesField(r).Cast<long>().ToArray());

    /// <summary>One edit of a boundary list: swap, repeat, negate, set to an extreme, insert, remove.</summary>
    private static readonly Gen<(int Kind, uint Where, long Value)> Edit = Gen.Select(Gen.Int[0, 5], Gen.UInt, Gen.Frequency((3, Gen.OneOf(FieldMutation.Extremes)), (1, Gen.Long)));

    private static readonly Gen<long> BlobSize = Gen.Frequency(
        (4, Gen.Long[0, 1L << 30]),
        (1, Gen.OneOf(0L, 1L, 1023L, 1024L, 1025L, 16383L, 16384L, 16385L, long.MaxValue, long.MaxValue - 1, (long)int.MaxValue + 1)),
        (1, Gen.Long[0, long.MaxValue]));

    private static readonly Gen<RangesInput> Inputs = Gen.Frequency(
        (2, Gen.Select(ValidBoundaries, BlobSize, (bounds, size) => new RangesInput(bounds, size, Valid: true))),
        (4, Gen.Select(ValidBoundaries, Edit.Array[1, 3], BlobSize, (bounds, edits, size) => new RangesInput(edits.Aggregate(bounds, Apply), size, Valid: false))),
        (1, Gen.Select(Gen.Frequency((1, Gen.Long.Array[0, 12]), (1, Gen.OneOf(FieldMutation.Extremes).Array[0, 12])), BlobSize, (bounds, size) => new RangesInput(bounds, size, Valid: false))));

    [Fact]
    public void Ranges_are_read_or_refused_with_a_400_and_never_break_the_silos_arithmetic() =>
        FuzzRunner.Run(output, "MetadataBlock.Ranges", Inputs, input => input.Size, input =>
        {
            var block = new MetadataBlock([new("ranges", input.Boundaries.Select(b => (object)b).ToList())]);
            if (!Documented.TryParse("MetadataBlock.Ranges", () => block.Ranges("ranges"), out ChunkRanges ranges, Rejection.Status(BlobStatus.BadRequest)))
            {
                Documented.Require(!input.Valid, "a valid range list was refused");
                return false;
            }

            Documented.Require(ranges.Boundaries.SequenceEqual(input.Boundaries.Select(b => (ulong)b)) || (input.Boundaries.Length == 0 && ranges.IsAll), "accepted ranges are not the boundaries sent");
            Documented.Total("what a silo does with a client's ranges", () => Apply(ranges, input.BlobSize));
            return true;
        });

    [Fact]
    public void FromBoundaries_builds_or_refuses_with_ArgumentException() =>
        FuzzRunner.Run(output, "ChunkRanges.FromBoundaries", Gen.Frequency((1, Gen.ULong.Array[0, 12]), (1, Inputs.Select(i => i.Boundaries.Select(b => (ulong)b).ToArray()))), bounds => (8L * bounds.Length) + 16, bounds =>
        {
            if (!Documented.TryParse("ChunkRanges.FromBoundaries", () => ChunkRanges.FromBoundaries(bounds), out ChunkRanges ranges, Rejection.Of<ArgumentException>()))
            {
                return false;
            }

            Documented.Require(ranges.Boundaries.SequenceEqual(bounds), "accepted boundaries changed");
            Documented.Total("ChunkRanges operations", () => Apply(ranges, long.MaxValue));
            return true;
        });

    /// <summary>Everything a silo computes from a client's ranges (BlobRequestHandler, BaoEncoder): none of it may throw.</summary>
    private static bool Apply(ChunkRanges ranges, long size)
    {
        ChunkRanges normalized = BaoTree.Normalize(ranges, size);
        ulong chunks = BaoTree.ChunkCount(size);
        Documented.Require((normalized - ChunkRanges.Range(0, chunks)).IsEmpty, $"normalized ranges {normalized} reach past the blob's {chunks} chunks");
        Documented.Require(normalized.IsEmpty || !(ranges.IsOpenEnded || ranges.Intersects(chunks, ulong.MaxValue)) || normalized.Contains(chunks - 1), "ranges that reach past the end do not get the last chunk (the size proof)");
        ChunkRanges blocks = normalized.RoundOut(BaoTree.ChunksPerBlock);
        long bytes = blocks.ByteCount(size);
        Documented.Require(bytes >= 0 && bytes <= size, $"the ranges count {bytes} bytes of a {size}-byte blob");
        long encoded = BaoEncoder.EncodedLength(Math.Min(size, 1L << 40), ranges);
        Documented.Require(encoded >= 0, "a negative encoded length");
        ChunkRanges other = ChunkRanges.From(chunks / 2) | ChunkRanges.Range(1, 3);
        _ = (ranges | other, ranges & other, ranges - other, ranges.Intersects(0, ulong.MaxValue), ranges.Contains(ulong.MaxValue), ranges.ToString());
        return true;
    }

    private static long[] Apply(long[] bounds, (int Kind, uint Where, long Value) edit)
    {
        var list = bounds.ToList();
        int at = list.Count == 0 ? 0 : (int)(edit.Where % (uint)list.Count);
        switch (edit.Kind)
        {
            case 0 when list.Count > 1:
                (list[at], list[(at + 1) % list.Count]) = (list[(at + 1) % list.Count], list[at]);
                break;
            case 1 when list.Count > 0:
                list.Insert(at, list[at]);
                break;
            case 2 when list.Count > 0:
                list[at] = -list[at];
                break;
            case 3 when list.Count > 0:
                list[at] = edit.Value;
                break;
            case 4:
                list.Insert(list.Count == 0 ? 0 : (int)(edit.Where % (uint)(list.Count + 1)), edit.Value);
                break;
            case 5 when list.Count > 0:
                list.RemoveAt(at);
                break;
            default:
                break;
        }

        return [.. list];
    }
}
