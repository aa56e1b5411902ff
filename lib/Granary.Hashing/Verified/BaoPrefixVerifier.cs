using System.Buffers;
using static Granary.Hashing.Blake3Constants;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// Checks a local copy of a blob's leading blocks — what an interrupted download left on disk —
/// against the blob's hash tree, so that a resumed download never trusts bytes it did not verify,
/// and fetches again only what is damaged.
/// </summary>
/// <remarks>
/// <para>
/// No outboard and almost no network is needed: blocks [0, k) are exactly the complete subtrees
/// hanging to the left of the root's path to block k, and a verified request for block k alone
/// (<see cref="BaoPathProbe"/>) carries every parent on that path, hence every such subtree's
/// chaining value. The local blocks are re-hashed subtree by subtree (about 1 GB/s on one AVX2
/// core) and compared.
/// </para>
/// <para>
/// A subtree that does not match is narrowed down: a probe at its middle block carries its own
/// parent node, i.e. the chaining values of both halves, and each half is checked again, down to
/// <see cref="MinRefineBlocks"/> blocks, with at most <see cref="MaxProbes"/> probes in all. So
/// one flipped byte in a 1 GiB prefix costs about a dozen 16 KiB probes and re-hashing twice the
/// damaged subtree, and only 1 MiB is fetched again; damage everywhere (a truncated or zeroed
/// file) stops refining once the probe budget is spent. The decomposition is BLAKE3's tree (and
/// bao / iroh-blobs' BaoTree); nothing here is specific to Granary's wire format.
/// </para>
/// </remarks>
public static class BaoPrefixVerifier
{
    /// <summary>Damaged subtrees are not narrowed below this many blocks (64 = 1 MiB): they are fetched again whole.</summary>
    public const long MinRefineBlocks = 64;

    /// <summary>Most path probes one check sends; past it, damaged subtrees are fetched again whole.</summary>
    public const int MaxProbes = 128;

    // Whole blocks hashed per read: 16 blocks = 256 KiB, the batch FullBlockChainingValues takes.
    private const int BatchBlocks = MaxBatchBlocks;

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

    /// <summary>
    /// Re-hashes local blocks [0, <paramref name="prefixBlocks"/>) and returns the runs of blocks
    /// that verify, in order, as (first block, block count).
    /// </summary>
    /// <param name="data">The local copy; it must hold at least <paramref name="prefixBlocks"/> whole blocks.</param>
    /// <param name="prefixBlocks">Leading blocks to check, at least 1; never the blob's last block.</param>
    /// <param name="probe">Fetches a <see cref="BaoPathProbe"/> for a block (one small verified request).</param>
    /// <param name="cancellationToken">Stops the check.</param>
    /// <exception cref="EndOfStreamException">The local copy is shorter than the prefix.</exception>
    /// <exception cref="IOException">The local copy could not be read.</exception>
    /// <exception cref="InvalidOperationException">A probe did not carry the path it was asked for.</exception>
    public static async Task<IReadOnlyList<(long First, long Blocks)>> VerifyAsync(
        IRandomAccessStorage data, long prefixBlocks, Func<long, CancellationToken, Task<BaoPathProbe>> probe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefixBlocks, 1);
        var verified = new List<(long First, long Blocks)>();
        var pending = new Stack<(long First, long Blocks, byte[] Cv)>();
        foreach (var subtree in (await probe(prefixBlocks, cancellationToken).ConfigureAwait(false)).LeftSubtrees().Reverse())
        {
            pending.Push(subtree);
        }

        int probes = 1;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BatchBlocks * BlockSize);
        try
        {
            // Depth first, left half first: the verified runs come out in block order.
            while (pending.TryPop(out var subtree))
            {
                byte[] actual = await SubtreeChainingValueAsync(data, subtree.First, subtree.Blocks, buffer, cancellationToken).ConfigureAwait(false);
                if (actual.AsSpan().SequenceEqual(subtree.Cv))
                {
                    Add(verified, subtree.First, subtree.Blocks);
                }
                else if (subtree.Blocks > MinRefineBlocks && probes < MaxProbes)
                {
                    long half = subtree.Blocks / 2;
                    BaoPathProbe inner = await probe(subtree.First + half, cancellationToken).ConfigureAwait(false);
                    probes++;
                    if (!inner.TryGetChildren(subtree.First, subtree.Blocks, out byte[] left, out byte[] right))
                    {
                        throw new InvalidOperationException($"The probe of block {subtree.First + half} did not carry the node over blocks [{subtree.First}, {subtree.First + subtree.Blocks}).");
                    }

                    pending.Push((subtree.First + half, half, right));
                    pending.Push((subtree.First, half, left));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return verified;
    }

    private static void Add(List<(long First, long Blocks)> runs, long first, long blocks)
    {
        if (runs.Count > 0 && runs[^1].First + runs[^1].Blocks == first)
        {
            runs[^1] = (runs[^1].First, runs[^1].Blocks + blocks);
        }
        else
        {
            runs.Add((first, blocks));
        }
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
