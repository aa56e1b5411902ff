using System.Buffers;
using static Granary.Hashing.Blake3Constants;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// Checks a local copy of a blob's first blocks — what an interrupted download left on disk —
/// against the blob's hash tree, so that a resumed download never trusts bytes it did not verify.
/// </summary>
/// <remarks>
/// <para>
/// The check needs no outboard and almost no network: the blocks [0, <see cref="PrefixBlocks"/>)
/// are exactly the complete subtrees that hang to the left of the path from the root to block
/// <see cref="PrefixBlocks"/>, and a verified request for that one block (<see cref="ProbeRanges"/>)
/// carries every parent on that path, hence every such subtree's chaining value. Use this object
/// as the request's <see cref="IBaoSink"/>, then <see cref="VerifyAsync"/> re-hashes the local
/// blocks subtree by subtree and compares.
/// </para>
/// <para>
/// The answer is the longest run of leading blocks that verifies, at subtree granularity: a
/// damaged byte condemns its whole subtree (and, since a download fills a file front to back,
/// everything after it), which is then fetched again. Re-hashing runs at the hasher's speed
/// (about 1 GB/s on one AVX2 core), which is far cheaper than fetching the prefix again.
/// The decomposition is the one BLAKE3's tree (and bao / iroh-blobs' BaoTree) implies; nothing
/// here is specific to Granary's wire format.
/// </para>
/// </remarks>
public sealed class BaoPrefixVerifier : IBaoSink
{
    // Whole blocks hashed per read: 16 blocks = 256 KiB, the batch FullBlockChainingValues takes.
    private const int BatchBlocks = MaxBatchBlocks;
    private readonly SortedDictionary<long, (long Blocks, byte[] Cv)> _subtrees = [];

    /// <summary>A verifier for the first <paramref name="prefixBlocks"/> whole 16 KiB blocks.</summary>
    /// <param name="prefixBlocks">Leading blocks present locally, at least 1; all must be whole (the blob continues after them).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="prefixBlocks"/> is less than 1.</exception>
    public BaoPrefixVerifier(long prefixBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixBlocks, 1);
        PrefixBlocks = prefixBlocks;
    }

    /// <summary>The leading blocks to check.</summary>
    public long PrefixBlocks { get; }

    /// <summary>
    /// The ranges to request with this object as the sink: the first chunk after the prefix. The
    /// reply carries every parent on the root's path to it (and that chunk's block, ignored here).
    /// </summary>
    public ChunkRanges ProbeRanges => ChunkRanges.Chunk((ulong)PrefixBlocks * ChunksPerBlock);

    /// <summary>
    /// The leading blocks of a blob of <paramref name="size"/> bytes worth checking, given
    /// <paramref name="recordedBytes"/> claimed verified and <paramref name="localBytes"/> on disk:
    /// whole blocks only, and never the last block (it is always fetched again, which proves the size).
    /// </summary>
    public static long CheckableBlocks(long size, long recordedBytes, long localBytes)
    {
        long claimed = Math.Min(Math.Max(recordedBytes, 0), Math.Max(localBytes, 0));
        return Math.Max(0, Math.Min(claimed / BlockSize, BlockCount(size) - 1));
    }

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken)
    {
        long left = LeftBlocks(blocks);
        if (firstBlock + left <= PrefixBlocks)
        {
            _subtrees[firstBlock] = (left, children.Span[..OutLen].ToArray());
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Re-hashes the local blocks and returns how many leading blocks match the tree: <see cref="PrefixBlocks"/>
    /// when all do, else the first block of the first subtree that does not.
    /// </summary>
    /// <param name="data">The local copy; it must hold at least <see cref="PrefixBlocks"/> whole blocks.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    /// <exception cref="InvalidOperationException">The probe reply has not been received (its parents do not cover the prefix).</exception>
    /// <exception cref="IOException">The local copy could not be read.</exception>
    /// <exception cref="EndOfStreamException">The local copy is shorter than the prefix.</exception>
    public async Task<long> VerifyAsync(IRandomAccessStorage data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        long covered = 0;
        foreach (var (first, (blocks, _)) in _subtrees)
        {
            covered = first == covered ? first + blocks : covered;
        }

        if (covered != PrefixBlocks)
        {
            throw new InvalidOperationException(
                $"The tree nodes received cover {covered} of the {PrefixBlocks} leading blocks: request {ProbeRanges} with this verifier as the sink first.");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BatchBlocks * BlockSize);
        try
        {
            foreach (var (first, (blocks, expected)) in _subtrees)
            {
                byte[] actual = await SubtreeChainingValueAsync(data, first, blocks, buffer, cancellationToken).ConfigureAwait(false);
                if (!actual.AsSpan().SequenceEqual(expected))
                {
                    return first;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return PrefixBlocks;
    }

    /// <summary>
    /// The chaining value of the complete subtree of <paramref name="blocks"/> (a power of two)
    /// whole blocks starting at <paramref name="first"/>: block values merged on a stack as BLAKE3's
    /// incremental hasher merges chunk values, so memory stays one batch plus one value per level.
    /// </summary>
    private static async Task<byte[]> SubtreeChainingValueAsync(
        IRandomAccessStorage data, long first, long blocks, byte[] buffer, CancellationToken cancellationToken)
    {
        var stack = new byte[64 * OutLen];
        int depth = 0;
        byte[] cvs = new byte[BatchBlocks * OutLen];
        byte[] parent = new byte[ParentSize];
        for (long done = 0; done < blocks;)
        {
            int batch = (int)Math.Min(BatchBlocks, blocks - done);
            int bytes = batch * BlockSize;
            await data.ReadExactlyAtAsync((first + done) * BlockSize, buffer.AsMemory(0, bytes), "local copy", cancellationToken).ConfigureAwait(false);

            FullBlockChainingValues(buffer.AsSpan(0, bytes), first + done, cvs);
            for (int i = 0; i < batch; i++)
            {
                cvs.AsSpan(i * OutLen, OutLen).CopyTo(stack.AsSpan(depth * OutLen));
                depth++;
                done++;

                // After the n-th block, a complete subtree ends for every trailing zero bit of n.
                for (long n = done; (n & 1) == 0 && depth > 1; n >>= 1)
                {
                    stack.AsSpan((depth - 2) * OutLen, ParentSize).CopyTo(parent);
                    ParentChainingValue(parent, isRoot: false, stack.AsSpan((depth - 2) * OutLen, OutLen));
                    depth--;
                }
            }
        }

        return stack.AsSpan(0, OutLen).ToArray();
    }
}
