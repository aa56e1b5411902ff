using Granary.Blobs.Protocol;

namespace Granary.Transfers.Messages;

/// <summary>The block that ends a series of <see cref="ChannelReport"/>s (a list, or a watch of one channel that reached its end).</summary>
public sealed record TransferListEnd : BlobReply, IBlobReply<TransferListEnd>
{
    /// <summary>The one instance.</summary>
    public static TransferListEnd Instance { get; } = new();

    /// <summary>True if <paramref name="block"/> is the end block.</summary>
    public static bool Is(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return block.Number("end") == 1;
    }

    /// <inheritdoc/>
    public static TransferListEnd Parse(MetadataBlock block) => Instance;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [new("end", 1L)];
}
