namespace Granary.Storage.Blobs;

/// <summary>Why a blob operation was refused.</summary>
public enum BlobError
{
    /// <summary>No such blob.</summary>
    NotFound,

    /// <summary>The blob existed but its lifetime is over.</summary>
    Expired,

    /// <summary>The upload is larger than the store accepts.</summary>
    TooLarge,

    /// <summary>The upload ended before the size it declared.</summary>
    TooLittleData,

    /// <summary>The upload went on past the size it declared.</summary>
    TooMuchData,

    /// <summary>The uploaded bytes do not have the hash the uploader said they would.</summary>
    HashMismatch,

    /// <summary>The blob is already being received with another size.</summary>
    SizeConflict,

    /// <summary>This store's copy failed verification (a scrub found it rotten) and was quarantined; it is not served.</summary>
    Damaged,
}
