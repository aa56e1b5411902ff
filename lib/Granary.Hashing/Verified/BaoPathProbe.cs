using static Granary.Hashing.Blake3Constants;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// The tree nodes on the root's path to one block, gathered from a verified request for that
/// block alone (<see cref="Ranges"/>): use it as the request's <see cref="IBaoSink"/>. Every
/// parent on the path arrives (verified against the root) with both children's chaining values,
/// which is what <see cref="BaoPrefixVerifier"/> checks local blocks against.
/// </summary>
public sealed class BaoPathProbe : IBaoSink
{
    private readonly Dictionary<(long First, long Blocks), byte[]> _parents = [];

    /// <summary>A probe of the path to <paramref name="block"/> (0-based 16 KiB block index).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="block"/> is negative.</exception>
    public BaoPathProbe(long block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        Block = block;
    }

    /// <summary>The block whose path is probed.</summary>
    public long Block { get; }

    /// <summary>The ranges to request: the first chunk of <see cref="Block"/> (the reply carries its block too, ignored).</summary>
    public ChunkRanges Ranges => ChunkRanges.Chunk((ulong)Block * ChunksPerBlock);

    /// <summary>
    /// The complete subtrees left of <see cref="Block"/>, in order, with their chaining values:
    /// together they cover blocks [0, <see cref="Block"/>) exactly.
    /// </summary>
    /// <exception cref="InvalidOperationException">The reply has not been received, or did not cover the path.</exception>
    public IReadOnlyList<(long First, long Blocks, byte[] ChainingValue)> LeftSubtrees()
    {
        var subtrees = new List<(long, long, byte[])>();
        long covered = 0;
        foreach (var ((first, blocks), children) in _parents.OrderBy(p => p.Key.First).ThenByDescending(p => p.Key.Blocks))
        {
            long left = LeftBlocks(blocks);
            if (first == covered && first + left <= Block)
            {
                subtrees.Add((first, left, children[..OutLen]));
                covered = first + left;
            }
        }

        return covered == Block
            ? subtrees
            : throw new InvalidOperationException($"The tree nodes received cover {covered} of the {Block} blocks before block {Block}: request {Ranges} with this probe as the sink first.");
    }

    /// <summary>The chaining values of the two halves of the path node over [<paramref name="first"/>, +<paramref name="blocks"/>), if it is on the path.</summary>
    public bool TryGetChildren(long first, long blocks, out byte[] left, out byte[] right)
    {
        if (_parents.TryGetValue((first, blocks), out byte[]? children))
        {
            left = children[..OutLen];
            right = children[OutLen..];
            return true;
        }

        left = right = [];
        return false;
    }

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken)
    {
        _parents[(firstBlock, blocks)] = children.ToArray();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
