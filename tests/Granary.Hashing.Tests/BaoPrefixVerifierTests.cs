using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>
/// Re-verifying what an interrupted download left on disk: the probe's parents must condemn
/// every damaged block and keep every undamaged subtree before the first damage.
/// </summary>
public sealed class BaoPrefixVerifierTests
{
    private const int Block = BaoTree.BlockSize;

    private static async Task<long> VerifyAsync(byte[] original, byte[] local, long prefixBlocks)
    {
        using var data = new MemoryStream(original);
        using var outboard = new MemoryStream();
        (Blake3Hash root, long size) = await BaoOutboardBuilder.CreateAsync(data, outboard);
        var verifier = new BaoPrefixVerifier(prefixBlocks);
        using var encoding = new MemoryStream();
        await BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(original), new MemoryRandomAccessStorage(outboard.ToArray()), size, verifier.ProbeRanges, encoding);
        encoding.Position = 0;
        await BaoDecoder.DecodeAsync(encoding, root, size, verifier.ProbeRanges, verifier);
        return await verifier.VerifyAsync(new MemoryRandomAccessStorage(local));
    }

    // 20,000,000 bytes = 1221 blocks: the root's left child is blocks [0, 1024).
    [Theory]
    [InlineData(1024, -1, 1024)] // nothing damaged: the whole prefix is kept
    [InlineData(1024, 500, 0)] // the prefix is one 1024-block subtree: one bad byte condemns it
    [InlineData(1100, 1050, 1024)] // 1100 = 1024 + 64 + 8 + 4: damage in [1024, 1088) keeps [0, 1024)
    [InlineData(1100, 1095, 1088)] // damage in [1088, 1096) keeps [0, 1088)
    [InlineData(1100, 1099, 1096)] // damage in the last subtree [1096, 1100)
    [InlineData(1100, 0, 0)]
    [InlineData(1, 0, 0)]
    [InlineData(1, -1, 1)]
    [InlineData(1220, 1219, 1216)] // every block but the last: [1216, 1220) is the last left subtree
    public async Task Damage_condemns_exactly_its_subtree_and_what_follows(long prefixBlocks, long damagedBlock, long expected)
    {
        byte[] original = TestRandom.Bytes(TestRandom.For("prefix-20MB"), 20_000_000);
        byte[] local = (byte[])original.Clone();
        if (damagedBlock >= 0)
        {
            local[(damagedBlock * Block) + 1234] ^= 0x40;
        }

        Assert.Equal(expected, await VerifyAsync(original, local, prefixBlocks));
    }

    [Fact]
    public async Task Random_damage_is_never_kept_and_undamaged_prefixes_are_kept_whole()
    {
        var random = TestRandom.For("prefix-random");
        for (int trial = 0; trial < 40; trial++)
        {
            int blocks = random.Next(2, 300);
            byte[] original = TestRandom.Bytes(random, ((blocks - 1) * Block) + random.Next(1, Block + 1));
            long prefix = random.Next(1, blocks);
            byte[] local = (byte[])original.Clone();
            bool damage = random.Next(3) > 0;
            long damaged = random.Next(0, (int)prefix);
            if (damage)
            {
                local[(damaged * Block) + random.Next(Block)] ^= (byte)(1 << random.Next(8));
            }

            long kept = await VerifyAsync(original, local, prefix);
            if (damage)
            {
                Assert.True(kept <= damaged, $"trial {trial}: block {damaged} was damaged but {kept} leading blocks were kept (prefix {prefix} of {blocks})");
            }
            else
            {
                Assert.Equal(prefix, kept);
            }
        }
    }

    [Fact]
    public async Task A_local_copy_shorter_than_the_prefix_is_reported_not_misread()
    {
        byte[] original = TestRandom.Bytes(TestRandom.For("prefix-short"), 40 * Block);
        await Assert.ThrowsAsync<EndOfStreamException>(() => VerifyAsync(original, original[..(10 * Block)], 20));
    }

    [Fact]
    public async Task Verifying_before_the_probe_reply_is_refused()
    {
        var verifier = new BaoPrefixVerifier(4);
        await Assert.ThrowsAsync<InvalidOperationException>(() => verifier.VerifyAsync(new MemoryRandomAccessStorage(new byte[8 * Block])));
    }

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
