using static Granary.Hashing.Blake3Constants;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// Finds the blocks of a whole local copy (data and outboard) that no longer have the blob's hash,
/// so that only those are fetched again instead of the whole copy. It walks the tree from the root
/// (the one value that cannot be damaged: the hash itself) with two outboards: the one rebuilt from
/// the data as it is now, which tells whether a subtree's data is intact (its node hashes to what
/// is expected), and the stored one, received verified earlier, which says what each child should
/// be. A subtree whose data hashes right is kept whole, even if its stored parents were damaged
/// (the rebuilt ones replace them); a block that hashes wrong is damaged; a subtree whose data is
/// wrong and whose stored node does not verify either is given up whole, because nothing tells
/// which of its children is wrong.
/// </summary>
public static class BaoDamageLocator
{
    /// <summary>
    /// The damaged block ranges of <paramref name="hash"/>'s copy, in block order; empty if the
    /// copy is whole and right. Reads the data once where the outboards disagree, and no more.
    /// </summary>
    /// <param name="hash">The blob's hash.</param>
    /// <param name="size">The blob's size in bytes; <paramref name="data"/> holds at least this many.</param>
    /// <param name="data">The copy's data.</param>
    /// <param name="stored">The outboard received with the data (post-order parents, <see cref="OutboardSize"/> bytes).</param>
    /// <param name="rebuilt">The outboard <see cref="BaoOutboardBuilder"/> built from <paramref name="data"/> as it is now.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>(first block, blocks) of each damaged range.</returns>
    /// <exception cref="EndOfStreamException">The data or an outboard is shorter than <paramref name="size"/> needs.</exception>
    public static async Task<IReadOnlyList<(long FirstBlock, long Blocks)>> LocateAsync(
        Blake3Hash hash, long size, IRandomAccessStorage data, IRandomAccessStorage stored, IRandomAccessStorage rebuilt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(rebuilt);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var damaged = new List<(long, long)>();
        var block = new byte[BlockSize];
        var node = new byte[ParentSize];
        var cv = new byte[OutLen];

        async Task CheckAsync(long first, long blocks, byte[] expected, bool isRoot)
        {
            if (blocks == 1)
            {
                int length = BlockLength(size, first);
                await data.ReadExactlyAtAsync(first * BlockSize, block.AsMemory(0, length), "data", cancellationToken).ConfigureAwait(false);
                BlockChainingValue(block.AsSpan(0, length), first, isRoot, cv);
                if (!cv.AsSpan().SequenceEqual(expected))
                {
                    damaged.Add((first, 1));
                }

                return;
            }

            long offset = PostOrderIndex(first, blocks) * ParentSize;
            await rebuilt.ReadExactlyAtAsync(offset, node, "rebuilt outboard", cancellationToken).ConfigureAwait(false);
            ParentChainingValue(node, isRoot, cv);
            if (cv.AsSpan().SequenceEqual(expected))
            {
                return; // this subtree's data hashes right
            }

            await stored.ReadExactlyAtAsync(offset, node, "outboard", cancellationToken).ConfigureAwait(false);
            ParentChainingValue(node, isRoot, cv);
            if (!cv.AsSpan().SequenceEqual(expected))
            {
                damaged.Add((first, blocks));
                return;
            }

            byte[] left = node[..OutLen];
            byte[] right = node[OutLen..];
            long leftBlocks = LeftBlocks(blocks);
            await CheckAsync(first, leftBlocks, left, isRoot: false).ConfigureAwait(false);
            await CheckAsync(first + leftBlocks, blocks - leftBlocks, right, isRoot: false).ConfigureAwait(false);
        }

        await CheckAsync(0, BlockCount(size), hash.ToArray(), isRoot: true).ConfigureAwait(false);
        return damaged;
    }
}
