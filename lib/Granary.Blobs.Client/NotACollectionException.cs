using Granary.Hashing;

namespace Granary.Blobs.Client;

/// <summary>
/// A collection was asked for, but the blob is not one: too large, without the collection header,
/// or with a body that does not decode (a path that is unsafe, an entry that is not
/// [path, hash, size]; <see cref="CollectionProbe"/> decides). Thrown when a collection is asked for
/// explicitly (<see cref="Downloader.DownloadCollectionAsync(Blake3Hash, string, SplitStrategy, IProgress{long}?, bool, CancellationToken)"/>);
/// <see cref="BlobFetcher"/> never throws it, since it writes whatever is not a collection as a
/// file. Front ends report it as an invalid request, not as a local file problem.
/// </summary>
public sealed class NotACollectionException : Exception
{
    /// <summary>Blob <paramref name="hash"/> is not a collection because of <paramref name="reason"/>.</summary>
    public NotACollectionException(Blake3Hash hash, string reason)
        : base($"{hash} is not a collection: {reason}")
    {
        Hash = hash;
        Reason = reason;
    }

    /// <summary>A blob that is not a collection, unnamed.</summary>
    public NotACollectionException()
        : this("the blob is not a collection")
    {
    }

    /// <summary>A blob that is not a collection, with a message.</summary>
    public NotACollectionException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>A blob that is not a collection, with a message and a cause.</summary>
    public NotACollectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The blob, when known.</summary>
    public Blake3Hash? Hash { get; }

    /// <summary>Why it is not one ("it does not start with the collection header", ...).</summary>
    public string Reason { get; }
}
