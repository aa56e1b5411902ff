using System.Numerics;
using System.Runtime.InteropServices;
using static Granary.Hashing.Blake3Constants;

namespace Granary.Hashing.Verified;

/// <summary>
/// The shape of a blob's verification tree. The tree is BLAKE3's own tree with its lowest four
/// levels cut off: leaves are 16 KiB blocks (chunk groups of 16 chunks), so the root of the tree
/// is the blob's ordinary BLAKE3 hash. Block b covers bytes [b·16 KiB, (b+1)·16 KiB).
/// </summary>
/// <remarks>
/// A node is identified by its first block and its block count. Like BLAKE3, the tree is
/// left-balanced: a node of n &gt; 1 blocks has a left child of the largest power of two below n.
/// Parents are kept in <em>post-order</em> in the outboard: see <see cref="PostOrderIndex"/>.
/// </remarks>
public static class BaoTree
{
    /// <summary>BLAKE3's chunk: the unit of <see cref="ChunkRanges"/>.</summary>
    public const int ChunkSize = ChunkLen;

    /// <summary>log2 of chunks per block (iroh-blobs calls this the chunk group log).</summary>
    public const int BlockChunkLog = 4;

    /// <summary>Chunks in a block.</summary>
    public const int ChunksPerBlock = 1 << BlockChunkLog;

    /// <summary>Bytes in a block: the unit that is verified and transferred.</summary>
    public const int BlockSize = ChunkSize * ChunksPerBlock;

    /// <summary>Bytes of one parent node in the outboard and on the wire: left and right chaining values.</summary>
    public const int ParentSize = 2 * OutLen;

    /// <summary>Blocks in a blob of <paramref name="size"/> bytes; an empty blob has one empty block.</summary>
    public static long BlockCount(long size) => size == 0 ? 1 : ((size - 1) / BlockSize) + 1;

    /// <summary>Chunks in a blob of <paramref name="size"/> bytes; an empty blob has one empty chunk.</summary>
    public static ulong ChunkCount(long size) => size == 0 ? 1 : ((ulong)(size - 1) / ChunkSize) + 1;

    /// <summary>Bytes of outboard for a blob of <paramref name="size"/> bytes: one parent per block but one.</summary>
    public static long OutboardSize(long size) => (BlockCount(size) - 1) * ParentSize;

    /// <summary>Bytes in block <paramref name="block"/> of a blob of <paramref name="size"/> bytes.</summary>
    public static int BlockLength(long size, long block) => (int)Math.Min(BlockSize, size - (block * BlockSize));

    /// <summary>Blocks in the left child of a node of <paramref name="blocks"/> (&gt; 1) blocks.</summary>
    public static long LeftBlocks(long blocks) => (long)Blake3Tree.LargestPowerOfTwoAtMost((ulong)(blocks - 1));

    /// <summary>
    /// Where the parent node covering blocks [<paramref name="firstBlock"/>, +<paramref name="blocks"/>)
    /// sits in the post-order outboard, in parents. Before it come the other parents of its own
    /// subtree (blocks − 2) and those of the complete subtrees left of it; those subtrees are
    /// the binary digits of firstBlock, so they hold firstBlock − popcount(firstBlock) parents.
    /// The index does not depend on the blob's size, which is why the outboard can be written
    /// append-only while the size is still unknown.
    /// </summary>
    public static long PostOrderIndex(long firstBlock, long blocks) =>
        firstBlock + blocks - 2 - BitOperations.PopCount((ulong)firstBlock);

    /// <summary>
    /// The ranges a request really gets for a blob of <paramref name="size"/> bytes: clipped to
    /// the blob, and if they reach past its end, the last chunk is included — which proves the
    /// size, because only the true last chunk verifies with its length.
    /// </summary>
    public static ChunkRanges Normalize(ChunkRanges ranges, long size)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ulong chunks = ChunkCount(size);
        ChunkRanges clipped = ranges & ChunkRanges.Range(0, chunks);
        return ranges.Intersects(chunks, ulong.MaxValue) || ranges.IsOpenEnded
            ? clipped | ChunkRanges.Chunk(chunks - 1)
            : clipped;
    }

    /// <summary>Whether the ranges touch any chunk of blocks [<paramref name="firstBlock"/>, +<paramref name="blocks"/>).</summary>
    internal static bool Touches(ChunkRanges ranges, long firstBlock, long blocks) =>
        ranges.Intersects((ulong)firstBlock * ChunksPerBlock, (ulong)(firstBlock + blocks) * ChunksPerBlock);

    /// <summary>
    /// The chaining value of one block (the root hash instead, when the block is the whole blob).
    /// </summary>
    internal static unsafe void BlockChainingValue(ReadOnlySpan<byte> block, long blockIndex, bool isRoot, Span<byte> cv)
    {
        if (isRoot)
        {
            new Blake3Hasher().Update(block).Finalize(cv[..OutLen]);
            return;
        }

        Span<uint> words = MemoryMarshal.Cast<byte, uint>(cv);
        ulong chunkCounter = (ulong)blockIndex * ChunksPerBlock;
        if (block.Length <= ChunkLen)
        {
            var chunk = new ChunkState(Iv, chunkCounter, 0);
            chunk.Update(block);
            chunk.Output().ChainingValue(words);
            return;
        }

        byte* children = stackalloc byte[ParentSize];
        fixed (byte* input = block)
        fixed (uint* key = Iv)
        {
            Blake3Tree.CompressSubtreeToParentNode(Blake3Simd.Best, input, block.Length, key, chunkCounter, 0, children);
        }

        Blake3Output.ParentNode(new ReadOnlySpan<byte>(children, ParentSize), Iv, 0).ChainingValue(words);
    }

    /// <summary>Most whole blocks <see cref="FullBlockChainingValues"/> hashes in one call.</summary>
    internal const int MaxBatchBlocks = 16;

    /// <summary>
    /// The chaining values of up to <see cref="MaxBatchBlocks"/> consecutive whole (16 KiB)
    /// blocks, none of which is the whole blob. All their chunks go through the SIMD kernel
    /// at once, then the four parent levels inside each block, also at full width: a pair at
    /// any level never straddles two blocks, because a block has exactly 16 chunks.
    /// </summary>
    internal static unsafe void FullBlockChainingValues(ReadOnlySpan<byte> blocks, long firstBlock, Span<byte> cvs)
    {
        int count = blocks.Length / BlockSize;
        if (count * BlockSize != blocks.Length || count > MaxBatchBlocks || cvs.Length < count * OutLen)
        {
            throw new ArgumentException($"Expected up to {MaxBatchBlocks} whole blocks and room for their chaining values.", nameof(blocks));
        }

        byte* levels = stackalloc byte[MaxBatchBlocks * ChunksPerBlock * OutLen];
        fixed (byte* input = blocks)
        fixed (byte* output = cvs)
        fixed (uint* key = Iv)
        {
            Blake3Simd.HashMany(Blake3Simd.Best, input, count * ChunksPerBlock, ChunkLen / BlockLen, key,
                (ulong)firstBlock * ChunksPerBlock, incrementCounter: true, 0, ChunkStart, ChunkEnd, levels);
            int values = count * ChunksPerBlock;
            while (values > count)
            {
                values = Blake3Tree.CompressParents(Blake3Simd.Best, levels, values, key, 0, levels);
            }

            Buffer.MemoryCopy(levels, output, cvs.Length, count * OutLen);
        }
    }

    /// <summary>The chaining value of a parent node (the root hash instead, for the root).</summary>
    internal static void ParentChainingValue(ReadOnlySpan<byte> children, bool isRoot, Span<byte> cv)
    {
        var output = Blake3Output.ParentNode(children, Iv, 0);
        if (isRoot)
        {
            output.RootBytes(0, cv[..OutLen]);
        }
        else
        {
            output.ChainingValue(MemoryMarshal.Cast<byte, uint>(cv));
        }
    }
}
