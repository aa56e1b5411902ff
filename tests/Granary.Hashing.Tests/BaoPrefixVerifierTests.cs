using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>
/// Re-verifying what an interrupted download left on disk: every damaged block is condemned,
/// every undamaged subtree is kept, and damage is narrowed down to 1 MiB with few probes.
/// </summary>
public sealed class BaoPrefixVerifierTests
{
    private const int Block = BaoTree.BlockSize;

    /// <summary>Runs the check with probes answered by a real encoder and decoder over the original blob.</summary>
    private static async Task<(IReadOnlyList<(long First, long Blocks)> Kept, int Probes)> VerifyAsync(byte[] original, byte[] local, long prefixBlocks)
    {
        using var outboardStream = new MemoryStream();
        (Blake3Hash root, long size) = await BaoOutboardBuilder.CreateAsync(new MemoryStream(original), outboardStream);
        byte[] outboard = outboardStream.ToArray();
        int probes = 0;
        var kept = await BaoPrefixVerifier.VerifyAsync(new MemoryRandomAccessStorage(local), prefixBlocks, async (block, ct) =>
        {
            probes++;
            var probe = new BaoPathProbe(block);
            using var encoding = new MemoryStream();
            await BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(original), new MemoryRandomAccessStorage(outboard), size, probe.Ranges, encoding, ct);
            encoding.Position = 0;
            await BaoDecoder.DecodeAsync(encoding, root, size, probe.Ranges, probe, cancellationToken: ct);
            return probe;
        });
        return (kept, probes);
    }

    private static string Runs(IEnumerable<(long First, long Blocks)> runs) => string.Join(" ", runs.Select(r => $"[{r.First},{r.First + r.Blocks})"));

    // 20,000,000 bytes = 1221 blocks: the root's left child is blocks [0, 1024).
    [Theory]
    [InlineData(1024, -1, "[0,1024)")] // nothing damaged: the whole prefix is kept
    [InlineData(1024, 500, "[0,448) [512,1024)")] // narrowed down to the 64 blocks (1 MiB) around it
    [InlineData(1100, 0, "[64,1100)")]
    [InlineData(1100, 1050, "[0,1024) [1088,1100)")] // [1024, 1088) is 64 blocks: not narrowed further
    [InlineData(1100, 1095, "[0,1088) [1096,1100)")] // 1100 = 1024 + 64 + 8 + 4
    [InlineData(1100, 1099, "[0,1096)")]
    [InlineData(1, 0, "")]
    [InlineData(1, -1, "[0,1)")]
    [InlineData(1220, 1219, "[0,1216)")] // every block but the last: [1216, 1220) is the last left subtree
    public async Task Damage_condemns_exactly_its_narrowed_subtree(long prefixBlocks, long damagedBlock, string expected)
    {
        byte[] original = TestRandom.Bytes(TestRandom.For("prefix-20MB"), 20_000_000);
        byte[] local = (byte[])original.Clone();
        if (damagedBlock >= 0)
        {
            local[(damagedBlock * Block) + 1234] ^= 0x40;
        }

        var (kept, probes) = await VerifyAsync(original, local, prefixBlocks);
        Assert.Equal(expected, Runs(kept));
        Assert.True(probes <= 1 + 10, $"{probes} probes for one damaged spot");
    }

    [Fact]
    public async Task Random_damage_is_never_kept_and_undamaged_blocks_mostly_are()
    {
        var random = TestRandom.For("prefix-random");
        for (int trial = 0; trial < 30; trial++)
        {
            int blocks = random.Next(2, 600);
            byte[] original = TestRandom.Bytes(random, ((blocks - 1) * Block) + random.Next(1, Block + 1));
            long prefix = random.Next(1, blocks);
            byte[] local = (byte[])original.Clone();
            var damaged = new HashSet<long>();
            for (int i = random.Next(0, 4); i > 0; i--)
            {
                long block = random.Next(0, (int)prefix);
                damaged.Add(block);
                local[(block * Block) + random.Next(Block)] ^= (byte)(1 << random.Next(8));
            }

            var (kept, _) = await VerifyAsync(original, local, prefix);
            long keptBlocks = kept.Sum(r => r.Blocks);
            Assert.All(damaged, d => Assert.DoesNotContain(kept, r => d >= r.First && d < r.First + r.Blocks));
            Assert.True(kept.All(r => r.First >= 0 && r.First + r.Blocks <= prefix), $"trial {trial}: kept {Runs(kept)} beyond the prefix {prefix}");
            Assert.True(keptBlocks >= prefix - (damaged.Count * BaoPrefixVerifier.MinRefineBlocks * 2),
                $"trial {trial}: kept only {keptBlocks} of {prefix} blocks with {damaged.Count} damaged {TestRandom.Replay}");
        }
    }

    [Fact]
    public async Task Damage_everywhere_stops_at_the_probe_budget_and_keeps_nothing()
    {
        byte[] original = TestRandom.Bytes(TestRandom.For("prefix-zeroed"), 40 << 20);
        var (kept, probes) = await VerifyAsync(original, new byte[original.Length], 2559);
        Assert.Empty(kept);
        Assert.True(probes <= BaoPrefixVerifier.MaxProbes, $"{probes} probes");
    }

    [Fact]
    public async Task A_local_copy_shorter_than_the_prefix_is_reported_not_misread()
    {
        byte[] original = TestRandom.Bytes(TestRandom.For("prefix-short"), 40 * Block);
        await Assert.ThrowsAsync<EndOfStreamException>(() => VerifyAsync(original, original[..(10 * Block)], 20));
    }

    [Fact]
    public void A_probe_not_yet_answered_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => new BaoPathProbe(4).LeftSubtrees());

    [Theory]
    [InlineData(100 * Block, 50 * Block, long.MaxValue, 50)]
    [InlineData(100 * Block, 50 * Block, 20 * Block, 20)] // the file was truncated below its record
    [InlineData(100 * Block, 100 * Block, long.MaxValue, 99)] // never the last block: it proves the size
    [InlineData((100 * Block) - 5, (100 * Block) - 5, long.MaxValue, 99)]
    [InlineData(100 * Block, (50 * Block) + 100, long.MaxValue, 50)] // whole blocks only
    [InlineData(Block, Block, Block, 0)]
    [InlineData(0, 0, 0, 0)]
    public void Checkable_blocks_are_whole_recorded_present_and_never_the_last(long size, long recorded, long local, long expected) =>
        Assert.Equal(expected, BaoPrefixVerifier.CheckableBlocks(size, recorded, local));
}
