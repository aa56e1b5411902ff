using Granary.Hashing.Verified;

namespace Granary.Hashing.Tests;

/// <summary>Widening a chunk set to whole blocks: what a verified encoding carries for a request.</summary>
public sealed class ChunkRangesRoundOutTests
{
    public static TheoryData<string, ChunkRanges, ChunkRanges> Cases() => new()
    {
        { "nothing", ChunkRanges.Empty, ChunkRanges.Empty },
        { "a block exactly", ChunkRanges.Range(16, 32), ChunkRanges.Range(16, 32) },
        { "two chunks inside a block", ChunkRanges.Range(2, 4), ChunkRanges.Range(0, 16) },
        { "across a block boundary", ChunkRanges.Range(15, 17), ChunkRanges.Range(0, 32) },
        { "an open end", ChunkRanges.From(90), ChunkRanges.From(80) },
        { "two ranges in one block merge", ChunkRanges.FromBoundaries([1, 2, 5, 6]), ChunkRanges.Range(0, 16) },
        { "two ranges in two blocks", ChunkRanges.FromBoundaries([0, 1, 40, 42]), ChunkRanges.FromBoundaries([0, 16, 32, 48]) },
        { "an end near the top", ChunkRanges.Range(3, ulong.MaxValue - 3), ChunkRanges.From(0) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_range_widens_to_whole_blocks(string name, ChunkRanges ranges, ChunkRanges expected)
    {
        Assert.True(expected.Equals(ranges.RoundOut(16)), $"{name}: {ranges.RoundOut(16)} instead of {expected}");
    }

    [Fact]
    public void A_group_of_zero_chunks_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkRanges.All.RoundOut(0));
}
