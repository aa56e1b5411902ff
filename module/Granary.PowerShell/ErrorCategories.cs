using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// The PowerShell ErrorCategory of each <see cref="CommandErrorKind"/> (which exception is which
/// kind is decided once, by <see cref="CommandErrors.From"/>). module/README.md lists the categories.
/// </summary>
internal static class ErrorCategories
{
    /// <summary>The category for <paramref name="kind"/>. No catch-all: a new kind fails the build here until it has one.</summary>
#pragma warning disable CS8524 // Only numbers no kind names are left, and nothing produces them.
    public static ErrorCategory For(CommandErrorKind kind) => kind switch
    {
        CommandErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        CommandErrorKind.Expired => ErrorCategory.ResourceUnavailable,
        CommandErrorKind.Unauthorized => ErrorCategory.AuthenticationError,
        CommandErrorKind.Forbidden => ErrorCategory.PermissionDenied,
        CommandErrorKind.Unreachable => ErrorCategory.ConnectionError,
        CommandErrorKind.InvalidArgument or CommandErrorKind.InvalidRequest => ErrorCategory.InvalidArgument,
        CommandErrorKind.VerificationFailed => ErrorCategory.InvalidData,
        CommandErrorKind.LocalFile => ErrorCategory.WriteError,
        CommandErrorKind.Refused => ErrorCategory.InvalidOperation,
        CommandErrorKind.Cancelled => ErrorCategory.OperationStopped,
    };
#pragma warning restore CS8524
}
