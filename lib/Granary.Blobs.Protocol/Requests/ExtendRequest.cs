using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary><c>extend</c>: moves the blob's expiry to at least now + <paramref name="Ttl"/> (clamped by the silo; never earlier); replied with its <see cref="BlobDescription"/>.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Ttl">How long from now, whole seconds.</param>
public sealed record ExtendRequest(Blake3Hash Hash, TimeSpan Ttl) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "extend";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [HashField(Hash), TtlField(Ttl)];

    internal static ExtendRequest From(MetadataBlock block) =>
        new(block.RequiredHash("hash", "extend"), ReadTtl(block, "an extend") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "extend needs 'ttl' in seconds"));
}
