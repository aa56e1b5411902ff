using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>
/// <c>get-collection</c>: a collection blob and every file it lists, in one stream — the
/// collection's <see cref="BlobDescription"/> and encoding, then per entry a
/// <see cref="BlobDescription"/> and its encoding, or an <see cref="ErrorReply"/> (404/410) naming its hash.
/// </summary>
/// <param name="Hash">The collection blob.</param>
public sealed record GetCollectionRequest(Blake3Hash Hash) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "get-collection";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash)];

    internal static GetCollectionRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "a get-collection"));
}
