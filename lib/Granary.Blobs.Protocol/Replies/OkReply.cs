namespace Granary.Blobs.Protocol;

/// <summary>A 200 with nothing more to say: to <c>auth</c>, <c>delete</c> and <c>cluster-drain</c>.</summary>
public sealed record OkReply : BlobReply, IBlobReply<OkReply>
{
    /// <summary>The one instance.</summary>
    public static OkReply Instance { get; } = new();

    /// <inheritdoc/>
    public static OkReply Parse(MetadataBlock block) => Instance;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [];
}
