using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>ChunkRanges against a plain bitset model over a small universe.</summary>
public sealed class ChunkRangesTests
{
    // Boundaries stay below Universe, so chunk Universe stands for "every chunk from here on".
    private const int Universe = 48;

    private static (ChunkRanges Set, bool[] Model) RandomSet(Random random)
    {
        int count = random.Next(0, 9);
        var boundaries = Enumerable.Range(0, Universe).OrderBy(_ => random.Next()).Take(count).Select(b => (ulong)b).Order().ToList();
        var set = ChunkRanges.FromBoundaries(boundaries);
        bool[] model = new bool[Universe + 1];
        for (int chunk = 0; chunk <= Universe; chunk++)
        {
            model[chunk] = boundaries.Count(b => b <= (ulong)chunk) % 2 == 1;
        }

        return (set, model);
    }

    private static void AssertMatches(bool[] model, ChunkRanges set, string what)
    {
        for (int chunk = 0; chunk <= Universe; chunk++)
        {
            Assert.True(model[chunk] == set.Contains((ulong)chunk), $"{what}: chunk {chunk} in {set} {TestRandom.Replay}");
        }

        Assert.Equal(model.All(m => !m), set.IsEmpty);
        Assert.Equal(model[Universe], set.IsOpenEnded);
        Assert.True(set.Contains(ulong.MaxValue - 1) == model[Universe], what);
    }

    [Fact]
    public void Set_operations_agree_with_a_bitset_model()
    {
        var random = TestRandom.For(nameof(Set_operations_agree_with_a_bitset_model));
        for (int round = 0; round < 2000; round++)
        {
            var (a, ma) = RandomSet(random);
            var (b, mb) = RandomSet(random);
            AssertMatches(ma.Zip(mb, (x, y) => x | y).ToArray(), a | b, $"{a} | {b}");
            AssertMatches(ma.Zip(mb, (x, y) => x & y).ToArray(), a & b, $"{a} & {b}");
            AssertMatches(ma.Zip(mb, (x, y) => x & !y).ToArray(), a - b, $"{a} - {b}");
            AssertMatches(ma.Select(x => !x).ToArray(), a.Complement(), $"~{a}");
            Assert.Equal(a, ChunkRanges.FromBoundaries(a.Boundaries));
            Assert.Equal(a, a | a);
            Assert.True((a - a).IsEmpty);

            ulong start = (ulong)random.Next(0, Universe + 2);
            ulong end = start + (ulong)random.Next(0, 10);
            bool expected = Enumerable.Range((int)start, (int)(end - start)).Any(c => ma[Math.Min(c, Universe)]);
            Assert.True(expected == a.Intersects(start, end), $"{a} intersects {start}..{end} {TestRandom.Replay}");
        }
    }

    [Fact]
    public void Ranges_enumerate_in_order_and_print_readably()
    {
        var set = ChunkRanges.Range(0, 4) | ChunkRanges.From(8) | ChunkRanges.Chunk(5);
        Assert.Equal([new ChunkRange(0, 4), new ChunkRange(5, 6), new ChunkRange(8, null)], set.ToList());
        Assert.Equal("{0..4, 5..6, 8..}", set.ToString());
        Assert.True(ChunkRanges.All.IsAll);
        Assert.Equal(ChunkRanges.Range(1, 3), ChunkRanges.Bytes(1024, 3072));
        Assert.Equal(ChunkRanges.Range(0, 1), ChunkRanges.Bytes(0, 1));
        Assert.True(ChunkRanges.Bytes(5, 5).IsEmpty);
    }

    [Fact]
    public void Boundaries_that_do_not_increase_are_refused_with_their_position()
    {
        var error = Assert.Throws<ArgumentException>(() => ChunkRanges.FromBoundaries([1, 5, 5]));
        Assert.Contains("boundary 2", error.Message, StringComparison.Ordinal);
    }
}
