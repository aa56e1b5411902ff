using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary><c>locate</c>: the blob's <see cref="BlobDescription"/> with <see cref="BlobDescription.Providers"/>, the silos that hold it (a silo alone answers an empty list, meaning "here").</summary>
/// <param name="Hash">The blob.</param>
public sealed record LocateRequest(Blake3Hash Hash) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "locate";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash)];

    internal static LocateRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "locate"));
}
