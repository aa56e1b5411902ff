using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>
/// Locating the damage in a whole local copy: damaged blocks are named one by one, a damaged
/// stored parent over intact data costs nothing, and a subtree whose data and stored node are both
/// damaged is given up whole.
/// </summary>
public sealed class BaoDamageLocatorTests
{
    private const int Block = BaoTree.BlockSize;

    // 40 blocks and a bit: an unbalanced tree (32 + 9 blocks under the root).
    private static readonly byte[] Original = TestRandom.Bytes(TestRandom.For(nameof(BaoDamageLocatorTests)), (40 * Block) + 333);

    private static async Task<IReadOnlyList<(long FirstBlock, long Blocks)>> LocateAsync(byte[] data, Func<byte[], byte[]>? damageStoredOutboard = null)
    {
        using var storedStream = new MemoryStream();
        (Blake3Hash root, long size) = await BaoOutboardBuilder.CreateAsync(new MemoryStream(Original), storedStream);
        using var rebuiltStream = new MemoryStream();
        await BaoOutboardBuilder.CreateAsync(new MemoryStream(data), rebuiltStream);
        byte[] stored = storedStream.ToArray();
        stored = damageStoredOutboard?.Invoke(stored) ?? stored;
        return await BaoDamageLocator.LocateAsync(
            root, size, new MemoryRandomAccessStorage(data), new MemoryRandomAccessStorage(stored), new MemoryRandomAccessStorage(rebuiltStream.ToArray()), default);
    }

    private static byte[] Damaged(params long[] offsets)
    {
        byte[] copy = (byte[])Original.Clone();
        foreach (long offset in offsets)
        {
            copy[offset] ^= 0x5A;
        }

        return copy;
    }

    private static byte[] DamageParent(byte[] outboard, long firstBlock, long blocks)
    {
        byte[] copy = (byte[])outboard.Clone();
        copy[(BaoTree.PostOrderIndex(firstBlock, blocks) * BaoTree.ParentSize) + 3] ^= 0x01;
        return copy;
    }

    [Fact]
    public async Task An_intact_copy_has_no_damage()
    {
        Assert.Empty(await LocateAsync(Original));
    }

    [Fact]
    public async Task Each_damaged_block_is_named_and_nothing_else()
    {
        Assert.Equal([(7L, 1L)], await LocateAsync(Damaged((7 * Block) + 100)));
        Assert.Equal([(3L, 1L), (30L, 1L), (40L, 1L)], await LocateAsync(Damaged((3 * Block) + 1, (30 * Block) + Block - 1, (40 * Block) + 332)));
    }

    [Fact]
    public async Task A_damaged_stored_parent_over_intact_data_costs_nothing()
    {
        Assert.Empty(await LocateAsync(Original, outboard => DamageParent(outboard, 0, 32)));
        Assert.Empty(await LocateAsync(Original, outboard => DamageParent(outboard, 6, 2)));
    }

    [Fact]
    public async Task A_subtree_whose_data_and_stored_node_are_both_damaged_is_given_up_whole()
    {
        // Block 7's data and the stored node over blocks 6-7: nothing says which child is wrong.
        Assert.Equal([(6L, 2L)], await LocateAsync(Damaged((7 * Block) + 100), outboard => DamageParent(outboard, 6, 2)));

        // The stored root itself: the whole copy goes.
        Assert.Equal([(0L, 41L)], await LocateAsync(Damaged(5), outboard => DamageParent(outboard, 0, 41)));
    }
}
