using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary><c>observe</c>: what of a blob is present here, now and at every change until it is complete (iroh-blobs' observe); replied with one <see cref="BlobAvailability"/> per change, then FIN.</summary>
/// <param name="Hash">The blob.</param>
public sealed record ObserveRequest(Blake3Hash Hash) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "observe";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash)];

    internal static ObserveRequest From(MetadataBlock block) => new(block.RequiredHash("hash", "observe"));
}
