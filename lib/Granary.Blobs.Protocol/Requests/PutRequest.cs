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

    /// <summary>
    /// The client declared <see cref="Hash"/> and follows a redirect to where the blob belongs (wire
    /// field <c>place: 1</c>): before reading any data, a silo in a cluster answers either with an
    /// interim <see cref="OkReply"/> (send the data here: this silo is one of the blob's R placement
    /// targets) or with 307 naming those targets, best first. Without it (the default) a silo
    /// stores what it is sent wherever it is and copies it to the targets afterwards.
    /// </summary>
    /// <remarks>A hash-first upload saves the copy to a silo that would drop it again once the targets hold theirs (issue 17's profile: 43–45 copies for 32 blobs with R = 2 on 3 silos).</remarks>
    public bool Place { get; init; }

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

        if (Place)
        {
            yield return new("place", 1L);
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

        bool place = block.Number("place") switch
        {
            null or 0 => false,
            1 => true,
            long other => throw new BlobProtocolException(BlobStatus.BadRequest, $"'place' is {other}; it is 1 (redirect me to where the blob belongs) or absent"),
        };
        var request = new PutRequest(size, ReadTtl(block, "a put"), block.Hash("hash"), block.Texts("tags")) { Place = place };
        if (place && request.Hash is null)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, "a put with 'place' must declare its 'hash' (the silo places a blob by its hash); hash the data first, or leave 'place' out");
        }

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
