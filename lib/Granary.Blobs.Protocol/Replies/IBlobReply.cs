namespace Granary.Blobs.Protocol;

/// <summary>A reply kind that can be parsed from its metadata block (lets <see cref="BlobReply.ReadAsync{T}"/> read any kind).</summary>
/// <typeparam name="TSelf">The reply record.</typeparam>
public interface IBlobReply<TSelf>
    where TSelf : BlobReply
{
    /// <summary>The reply a 200 block carries.</summary>
    /// <exception cref="BlobProtocolException">A field missing or of the wrong type (400).</exception>
    static abstract TSelf Parse(MetadataBlock block);
}
