using Granary.Hashing.Verified;

namespace Granary.Hashing.Tests;

public sealed class BaoTreeTests
{
    /// <summary>Post-order parents of the left-balanced tree, by plain recursion.</summary>
    private static void PostOrder(long first, long count, List<(long First, long Count)> parents)
    {
        if (count == 1)
        {
            return;
        }

        long left = BaoTree.LeftBlocks(count);
        PostOrder(first, left, parents);
        PostOrder(first + left, count - left, parents);
        parents.Add((first, count));
    }

    [Fact]
    public void Post_order_index_formula_matches_a_real_traversal()
    {
        for (long blocks = 1; blocks <= 600; blocks++)
        {
            var parents = new List<(long First, long Count)>();
            PostOrder(0, blocks, parents);
            Assert.Equal(blocks - 1, parents.Count);
            for (int i = 0; i < parents.Count; i++)
            {
                Assert.True(i == BaoTree.PostOrderIndex(parents[i].First, parents[i].Count), $"{blocks} blocks, node {parents[i]}");
            }
        }
    }

    [Fact]
    public void Left_child_is_the_largest_power_of_two_below_the_node()
    {
        Assert.Equal(1, BaoTree.LeftBlocks(2));
        Assert.Equal(2, BaoTree.LeftBlocks(3));
        Assert.Equal(2, BaoTree.LeftBlocks(4));
        Assert.Equal(4, BaoTree.LeftBlocks(5));
        Assert.Equal(1L << 40, BaoTree.LeftBlocks((1L << 40) + 1));
    }

    [Theory]
    [InlineData(0L, 1L, 1UL)]
    [InlineData(1L, 1L, 1UL)]
    [InlineData(16384L, 1L, 16UL)]
    [InlineData(16385L, 2L, 17UL)]
    [InlineData(1L << 30, 65536L, 1UL << 20)]
    public void Sizes_map_to_blocks_and_chunks(long size, long blocks, ulong chunks)
    {
        Assert.Equal(blocks, BaoTree.BlockCount(size));
        Assert.Equal(chunks, BaoTree.ChunkCount(size));
        Assert.Equal((blocks - 1) * 64, BaoTree.OutboardSize(size));
    }

    [Fact]
    public void Ranges_past_the_end_are_clipped_and_bring_the_last_chunk()
    {
        // 5 chunks: 0..4.
        const long size = 4 * 1024 + 1;
        Assert.Equal(ChunkRanges.Range(0, 2), BaoTree.Normalize(ChunkRanges.Range(0, 2), size));
        Assert.Equal(ChunkRanges.Range(3, 5), BaoTree.Normalize(ChunkRanges.From(3), size));
        Assert.Equal(ChunkRanges.Chunk(4), BaoTree.Normalize(ChunkRanges.Range(100, 200), size));
        Assert.Equal(ChunkRanges.Range(0, 5), BaoTree.Normalize(ChunkRanges.All, size));
        Assert.True(BaoTree.Normalize(ChunkRanges.Empty, size).IsEmpty);
    }
}
