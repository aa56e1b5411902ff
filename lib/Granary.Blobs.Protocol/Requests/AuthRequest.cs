namespace Granary.Blobs.Protocol;

/// <summary><c>auth</c>: proves the connection may use the silo; sent on a stream of its own before anything else.</summary>
/// <param name="Token">The silo's admin token, as bytes (UTF-8 of the token file's text).</param>
public sealed record AuthRequest(byte[] Token) : BlobRequest
{
    /// <summary>The operation's name on the wire.</summary>
    public const string Op = "auth";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [new("token", Token)];

    internal static AuthRequest From(MetadataBlock block) => new(block.Bytes("token") ?? []);
}
