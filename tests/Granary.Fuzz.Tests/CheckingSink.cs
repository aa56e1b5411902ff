using Granary.Hashing.Verified;

namespace Granary.Fuzz.Tests;

/// <summary>A decoder's sink that fails the moment it is handed a block that is not the blob's own bytes at that block's offset.</summary>
/// <param name="data">The true blob.</param>
internal sealed class CheckingSink(byte[] data) : IBaoSink
{
    /// <summary>Bytes of verified blocks received.</summary>
    public long Delivered { get; private set; }

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> received, CancellationToken cancellationToken)
    {
        long offset = block * BaoTree.BlockSize;
        bool genuine = offset >= 0 && offset + received.Length <= data.Length && received.Span.SequenceEqual(data.AsSpan((int)offset, received.Length));
        Documented.Require(genuine, $"the decoder handed on {received.Length} bytes as block {block}, which are not the blob's own (it has {data.Length} bytes)");
        Delivered += received.Length;
        return ValueTask.CompletedTask;
    }
}
