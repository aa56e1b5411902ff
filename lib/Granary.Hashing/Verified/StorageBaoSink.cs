using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// A sink that stores what it receives: block data at its offset in <c>blobData</c>, parents at
/// their post-order place in <c>outboard</c> — so a partial download can resume and be served.
/// </summary>
public sealed class StorageBaoSink(IRandomAccessStorage blobData, IRandomAccessStorage? outboard) : IBaoSink
{
    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
        outboard?.WriteAtAsync(PostOrderIndex(firstBlock, blocks) * ParentSize, children, cancellationToken) ?? ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        blobData.WriteAtAsync(block * BlockSize, data, cancellationToken);
}
