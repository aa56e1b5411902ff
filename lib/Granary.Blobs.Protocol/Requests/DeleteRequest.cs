using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary><c>delete</c>: deletes the blob (in a cluster, from every replica, leaving a tombstone); replied with <see cref="OkReply"/>, or 404.</summary>
/// <param name="Hash">The blob.</param>
public sealed record DeleteRequest(Blake3Hash Hash) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "delete";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash)];

    internal static DeleteRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "delete"));
}
