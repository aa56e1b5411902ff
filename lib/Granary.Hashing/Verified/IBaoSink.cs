namespace Granary.Hashing.Verified;

/// <summary>Receives what a <see cref="BaoDecoder"/> has verified, in stream order.</summary>
public interface IBaoSink
{
    /// <summary>A verified parent node over blocks [<paramref name="firstBlock"/>, +<paramref name="blocks"/>): its 64 bytes of children.</summary>
    ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken);

    /// <summary>Block <paramref name="block"/>'s verified data (16 KiB, or less for the last block).</summary>
    ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
