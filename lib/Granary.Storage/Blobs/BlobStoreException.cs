namespace Granary.Storage.Blobs;

/// <summary>A blob operation refused for a reason the caller can act on; nothing stored was changed.</summary>
public sealed class BlobStoreException : IOException
{
    /// <summary>Creates the exception.</summary>
    public BlobStoreException(BlobError error, string message)
        : base(message) => Error = error;

    /// <summary>Why.</summary>
    public BlobError Error { get; }
}
