using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>put</c>: stores the <paramref name="Size"/> bytes that follow the block, up to FIN. Replied
/// with a <see cref="BlobDescription"/> once the blob is durable (in a cluster: on R silos, with
/// <see cref="BlobDescription.Replicas"/>).
/// </summary>
/// <param name="Size">Bytes of data that follow; 0 or more.</param>
/// <param name="Ttl">How long to keep the blob, whole seconds (the silo clamps it); null for the silo's default.</param>
/// <param name="Hash">If given, the data must hash to it (454 otherwise).</param>
/// <param name="Tags">Labels kept with the blob (<see cref="BlobTags"/>' limits); empty for none.</param>
public sealed record PutRequest(long Size, TimeSpan? Ttl = null, Blake3Hash? Hash = null, IReadOnlyDictionary<string, string>? Tags = null) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "put";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <summary>The tags in canonical text form (<see cref="BlobTags.Format"/>).</summary>
    public string CanonicalTags => BlobTags.Format(Tags ?? new Dictionary<string, string>());

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return new("size", Size);
        if (Ttl is { } ttl)
        {
            yield return TtlField(ttl);
        }

        if (Hash is { } hash)
        {
            yield return HashField(hash);
        }

        if (Tags is { Count: > 0 } tags)
        {
            yield return new("tags", tags.ToDictionary(t => t.Key, t => (object)t.Value, StringComparer.Ordinal));
        }
    }

    internal static PutRequest From(MetadataBlock block)
    {
        long size = block.Number("size") ?? throw new BlobProtocolException(BlobStatus.NoSize, "a put must declare its 'size' in bytes");
        if (size < 0)
        {
            throw new BlobProtocolException(BlobStatus.BadSize, $"size {size} is negative");
        }

        var request = new PutRequest(size, ReadTtl(block, "a put"), block.Hash("hash"), block.Texts("tags"));
        try
        {
            _ = request.CanonicalTags;
        }
        catch (ArgumentException error)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, MetadataBlock.Sentence(error));
        }

        return request;
    }
}
