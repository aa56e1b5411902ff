namespace Granary.Blobs.Commands;

/// <summary>
/// The kinds of failure a command reports. Every front end maps each kind exactly once: the
/// cmdlets to a PowerShell ErrorCategory, the <c>granary</c> CLI to an exit code. A new kind fails
/// those maps' builds (they are exhaustive switches) until it is given its place.
/// </summary>
public enum CommandErrorKind
{
    /// <summary>No such blob (404).</summary>
    NotFound,

    /// <summary>The blob expired (410).</summary>
    Expired,

    /// <summary>The token was refused (401).</summary>
    Unauthorized,

    /// <summary>
    /// The silo knows the caller but refuses what it asks (403): a write to a read-only seeder, a
    /// publish on a topic only silos write. Another token does not help.
    /// </summary>
    Forbidden,

    /// <summary>No silo could be reached, or it is stopping, or the cluster answered 503: retry later or elsewhere.</summary>
    Unreachable,

    /// <summary>A bad hash, ticket, range, path or value given by the user: the request never left.</summary>
    InvalidArgument,

    /// <summary>
    /// The silo refused the request itself as invalid: malformed (400), too large (413), or a
    /// collection request for a blob that is not one (415). Unlike <see cref="InvalidArgument"/>
    /// the command line was fine, so the CLI reports it as a refusal (exit 1).
    /// </summary>
    InvalidRequest,

    /// <summary>Data did not match its hash.</summary>
    VerificationFailed,

    /// <summary>A local file could not be read or written.</summary>
    LocalFile,

    /// <summary>The silo refused for another reason (its status is in the message).</summary>
    Refused,

    /// <summary>The user cancelled.</summary>
    Cancelled,
}
