namespace Granary.Blobs.Commands;

/// <summary>The kinds of failure a command reports; each maps to one PowerShell ErrorCategory.</summary>
public enum CommandErrorKind
{
    /// <summary>No such blob (404).</summary>
    NotFound,

    /// <summary>The blob expired (410).</summary>
    Expired,

    /// <summary>The token was refused (401).</summary>
    Unauthorized,

    /// <summary>No silo could be reached.</summary>
    Unreachable,

    /// <summary>A bad hash, ticket, range, path or value.</summary>
    InvalidArgument,

    /// <summary>Data did not match its hash.</summary>
    VerificationFailed,

    /// <summary>A local file could not be read or written.</summary>
    LocalFile,

    /// <summary>The silo refused for another reason (its status is in the message).</summary>
    Refused,

    /// <summary>The user cancelled.</summary>
    Cancelled,
}
