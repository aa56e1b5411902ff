using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary><c>info</c>: the blob's <see cref="BlobDescription"/> (in a cluster: the cluster's record, which outranks a copy here).</summary>
/// <param name="Hash">The blob.</param>
public sealed record InfoRequest(Blake3Hash Hash) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "info";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash)];

    internal static InfoRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "info"));
}
