using Granary.Hashing.Verified;

namespace Granary.Blobs.Tests;

/// <summary>Keeps each verified block a decoder delivers, by block number.</summary>
internal sealed class BlockSink : IBaoSink
{
    /// <summary>The blocks received, by number.</summary>
    public SortedDictionary<long, byte[]> Blocks { get; } = [];

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Blocks[block] = data.ToArray();
        return ValueTask.CompletedTask;
    }
}
