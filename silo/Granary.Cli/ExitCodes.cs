using Granary.Blobs.Commands;

namespace Granary.Cli;

/// <summary>
/// The exit codes of the blob and cluster commands, one per <see cref="CommandErrorKind"/>: 0 done;
/// 1 refused (also forbidden), not found, expired or failed verification; 2 bad command line; 3 cannot reach or
/// authenticate (retry later or elsewhere); 4 local file error. README.md documents them; which
/// exception is which kind is decided once, by <see cref="CommandErrors.From"/>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Done = 0;

    /// <summary>The silo refused (not found, expired, invalid request, …) or data failed verification.</summary>
    public const int Refused = 1;

    /// <summary>The command line could not be understood (<see cref="CommandLineRunner.UsageError"/>).</summary>
    public const int UsageError = CommandLineRunner.UsageError;

    /// <summary>No silo could be reached, it is stopping, the cluster answered 503, or the token was refused.</summary>
    public const int Unavailable = 3;

    /// <summary>A local file could not be read or written, or would have been replaced.</summary>
    public const int LocalFileError = 4;

    /// <summary>Stopped by Ctrl-C: what shells report for SIGINT (128 + 2).</summary>
    public const int Cancelled = CommandLineRunner.Interrupted;

    /// <summary>
    /// The exit code for <paramref name="kind"/>. No catch-all: a new kind fails the build here
    /// until it is given a code.
    /// </summary>
#pragma warning disable CS8524 // Only numbers no kind names are left, and nothing produces them.
    public static int For(CommandErrorKind kind) => kind switch
    {
        CommandErrorKind.NotFound or CommandErrorKind.Expired or CommandErrorKind.InvalidRequest or CommandErrorKind.VerificationFailed or CommandErrorKind.Refused
            or CommandErrorKind.Forbidden => Refused,
        CommandErrorKind.InvalidArgument => UsageError,
        CommandErrorKind.Unreachable or CommandErrorKind.Unauthorized => Unavailable,
        CommandErrorKind.LocalFile => LocalFileError,
        CommandErrorKind.Cancelled => Cancelled,
    };
#pragma warning restore CS8524
}
