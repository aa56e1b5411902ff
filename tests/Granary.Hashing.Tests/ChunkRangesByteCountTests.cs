using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>How many bytes of a blob a chunk set covers: 1 KiB chunks clipped to the blob, open ends, ranges past the end, and chunk numbers too large to multiply.</summary>
public sealed class ChunkRangesByteCountTests
{
    public static TheoryData<string, ChunkRanges, long, long> Cases() => new()
    {
        { "all of an empty blob", ChunkRanges.All, 0, 0 },
        { "all of one byte", ChunkRanges.All, 1, 1 },
        { "all of a blob ending mid-chunk", ChunkRanges.All, 5000, 5000 },
        { "nothing", ChunkRanges.Empty, 5000, 0 },
        { "the first chunk", ChunkRanges.Chunk(0), 5000, 1024 },
        { "the last, short chunk", ChunkRanges.Chunk(4), 5000, 5000 - 4096 },
        { "a chunk past the end", ChunkRanges.Chunk(5), 5000, 0 },
        { "a chunk right at the end", ChunkRanges.Chunk(4), 4096, 0 },
        { "a range crossing the end", ChunkRanges.Range(3, 100), 5000, 5000 - 3072 },
        { "an open end from the middle", ChunkRanges.From(2), 5000, 5000 - 2048 },
        { "an open end past the end", ChunkRanges.From(10), 5000, 0 },
        { "two ranges", ChunkRanges.FromBoundaries([0, 1, 3, 4]), 5000, 2048 },
        { "a range and an open end", ChunkRanges.FromBoundaries([1, 2, 4]), 5000, 1024 + 904 },
        { "a huge chunk number", ChunkRanges.Chunk(ulong.MaxValue - 1), long.MaxValue, 0 },
        { "from a huge chunk number", ChunkRanges.From(ulong.MaxValue / 2), long.MaxValue, 0 },
        { "a chunk number whose bytes overflow a long", ChunkRanges.Range(1UL << 53, 1UL << 54), long.MaxValue, 0 },
        { "the whole of the largest blob", ChunkRanges.All, long.MaxValue, long.MaxValue },
        { "the last chunk of the largest blob", ChunkRanges.From((ulong)(long.MaxValue / 1024)), long.MaxValue, long.MaxValue % 1024 },
        { "up to a huge chunk of the largest blob", ChunkRanges.Range(1, ulong.MaxValue - 1), long.MaxValue, long.MaxValue - 1024 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Counts_the_covered_bytes_clipped_to_the_blob(string name, ChunkRanges ranges, long size, long bytes)
    {
        Assert.True(bytes == ranges.ByteCount(size), $"{name}: {ranges} of {size} bytes covers {ranges.ByteCount(size)}, expected {bytes}");
    }

    [Fact]
    public void Agrees_with_counting_chunk_by_chunk()
    {
        var random = TestRandom.For(nameof(Agrees_with_counting_chunk_by_chunk));
        for (int round = 0; round < 2000; round++)
        {
            var boundaries = Enumerable.Range(0, 40).OrderBy(_ => random.Next()).Take(random.Next(0, 7)).Select(b => (ulong)b).Order().ToList();
            ChunkRanges set = ChunkRanges.FromBoundaries(boundaries);
            long size = random.Next(0, 40 * 1024);
            long expected = 0;
            for (long start = 0; start < size; start += 1024)
            {
                expected += set.Contains((ulong)(start / 1024)) ? Math.Min(1024, size - start) : 0;
            }

            Assert.True(expected == set.ByteCount(size), $"{set} of {size} bytes: {set.ByteCount(size)}, chunk by chunk {expected} {TestRandom.Replay}");
        }
    }

    [Fact]
    public void A_negative_size_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkRanges.All.ByteCount(-1));
    }
}
