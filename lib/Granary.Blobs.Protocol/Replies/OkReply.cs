namespace Granary.Blobs.Protocol;

/// <summary>A 200 with nothing more to say: to <c>auth</c> (see <see cref="PlacesUploads"/>), <c>delete</c>, <c>cluster-drain</c>, and the go-ahead of a placed <c>put</c>.</summary>
public sealed record OkReply : BlobReply, IBlobReply<OkReply>
{
    /// <summary>The one instance.</summary>
    public static OkReply Instance { get; } = new();

    /// <summary>
    /// In the reply to <c>auth</c>: the silo's cluster has more placement targets than copies per
    /// blob, so an upload sent to this silo may belong elsewhere, and a client that can hash its data
    /// first should send it with <see cref="PutRequest.Place"/> (wire field <c>places: 1</c>). False
    /// (absent) for a silo alone, and from silos that predate it.
    /// </summary>
    public bool PlacesUploads { get; init; }

    /// <inheritdoc/>
    public static OkReply Parse(MetadataBlock block) =>
        block?.Number("places") == 1 ? new OkReply { PlacesUploads = true } : Instance;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        PlacesUploads ? [new("places", 1L)] : [];
}
