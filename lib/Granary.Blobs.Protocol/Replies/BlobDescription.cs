namespace Granary.Blobs.Protocol;

/// <summary>
/// A 200 describing one blob — <c>hash</c>, <c>size</c>, <c>created</c> and <c>expires</c> (ms since
/// the epoch), <c>uploader</c>, <c>tags</c> — the reply to <c>put</c>, <c>get</c>, <c>info</c>,
/// <c>extend</c> and <c>locate</c>, and the header of each file in a <c>get-collection</c>.
/// </summary>
/// <param name="Blob">The blob.</param>
public sealed record BlobDescription(BlobInfo Blob) : BlobReply, IBlobReply<BlobDescription>
{
    /// <summary><c>locate</c>, <c>info</c> in a cluster: the silos holding the blob (empty from a silo alone: "here").</summary>
    public IReadOnlyList<SiloTicket> Providers { get; init; } = [];

    /// <summary><c>put</c> in a cluster: the silos that hold the acknowledged copies.</summary>
    public IReadOnlyList<SiloTicket> Replicas { get; init; } = [];

    /// <inheritdoc/>
    public static BlobDescription Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var blob = new BlobInfo(
            block.Hash("hash") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no hash"),
            ReadSize(block),
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(block.Number("created") ?? 0, 0, MaxUnixMilliseconds)),
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(block.Number("expires") ?? 0, 0, MaxUnixMilliseconds)))
        {
            Uploader = block.Text("uploader") is { Length: > 0 } uploader ? uploader : null,
            Tags = Tags(block),
        };
        return new BlobDescription(blob) { Providers = block.Tickets("providers"), Replicas = block.Tickets("replicas") };
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return new("hash", Blob.Hash.ToArray());
        yield return new("size", Blob.Size);
        yield return new("created", Blob.Created.ToUnixTimeMilliseconds());
        yield return new("expires", Blob.Expires.ToUnixTimeMilliseconds());
        yield return new("uploader", Blob.Uploader ?? string.Empty);
        yield return new("tags", BlobTags.Parse(Blob.Tags).ToDictionary(t => t.Key, t => (object)t.Value, StringComparer.Ordinal));
        if (Providers.Count > 0)
        {
            yield return new("providers", MetadataBlock.TicketsField(Providers));
        }

        if (Replicas.Count > 0)
        {
            yield return new("replicas", MetadataBlock.TicketsField(Replicas));
        }
    }

    private const long MaxUnixMilliseconds = 253402300799999;

    private static string Tags(MetadataBlock block)
    {
        try
        {
            return BlobTags.Format(block.Texts("tags") ?? new Dictionary<string, string>());
        }
        catch (ArgumentException error)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"bad 'tags': {MetadataBlock.Sentence(error)}");
        }
    }

    private static long ReadSize(MetadataBlock block) => block.Number("size") switch
    {
        null => throw new BlobProtocolException(BlobStatus.BadRequest, "the reply has no size"),
        < 0 and long size => throw new BlobProtocolException(BlobStatus.BadRequest, $"the reply's size {size} is negative"),
        long size => size,
    };
}
