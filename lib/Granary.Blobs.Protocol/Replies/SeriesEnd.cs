namespace Granary.Blobs.Protocol;

/// <summary>The block that ends a series of replies to one request: a transfer list or a finished watch of one channel, a gossip topic list.</summary>
public sealed record SeriesEnd : BlobReply, IBlobReply<SeriesEnd>
{
    /// <summary>The one instance.</summary>
    public static SeriesEnd Instance { get; } = new();

    /// <summary>True if <paramref name="block"/> is the end block.</summary>
    public static bool Is(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return block.Number("end") == 1;
    }

    /// <inheritdoc/>
    public static SeriesEnd Parse(MetadataBlock block) => Instance;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [new("end", 1L)];
}
