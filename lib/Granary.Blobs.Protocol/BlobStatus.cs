namespace Granary.Blobs.Protocol;

/// <summary>
/// Status codes of the blobs protocol, in the style of seed 001 (HTTP-like, with 45x for upload
/// framing). docs/protocol.md lists when each is sent.
/// </summary>
public enum BlobStatus
{
    /// <summary>The request succeeded.</summary>
    Ok = 200,
    /// <summary>The metadata block is malformed, or a field is missing or of the wrong type.</summary>
    BadRequest = 400,
    /// <summary>The connection has not authenticated, or the token is wrong.</summary>
    Unauthorized = 401,
    /// <summary>
    /// The caller is who it says, but this is not its to ask: a write to a read-only seeder, a
    /// publish on a topic only silos write, a blob outside the channel a peer asks through.
    /// Another token does not help.
    /// </summary>
    Forbidden = 403,
    /// <summary>No such blob.</summary>
    NotFound = 404,
    /// <summary>The 'op' is not one this silo knows.</summary>
    UnknownOperation = 405,
    /// <summary>The blob expired.</summary>
    Gone = 410,
    /// <summary>The blob is larger than the silo accepts.</summary>
    TooLarge = 413,
    /// <summary>A PUT without a size.</summary>
    NoSize = 450,
    /// <summary>A PUT whose size is negative.</summary>
    BadSize = 451,
    /// <summary>The PUT's data ended (FIN) before its declared size.</summary>
    FinBeforeSize = 452,
    /// <summary>The PUT sent more data than its declared size.</summary>
    TooMuchData = 453,
    /// <summary>The PUT's data does not hash to the hash it declared.</summary>
    HashMismatch = 454,

    /// <summary>A collection request for a blob that is not a collection.</summary>
    NotACollection = 415,
    /// <summary>The silo's disk failed.</summary>
    IoError = 480,
    /// <summary>The silo's copy failed verification on its disk (a scrub) and is quarantined; fetch it elsewhere or upload it again.</summary>
    Damaged = 481,
    /// <summary>A bug in the silo; see its log.</summary>
    Internal = 500,

    /// <summary>The blob is not on this silo but on the cluster's silos listed in 'providers'.</summary>
    Redirect = 307,

    /// <summary>
    /// Retry later or elsewhere: the cluster could not make enough copies (or reach the grain that
    /// owns the blob), nothing was acknowledged; also the code a silo that is shutting down resets
    /// its in-flight request streams with.
    /// </summary>
    Unavailable = 503,
}
