namespace Granary.Blobs.Commands;

/// <summary>
/// Where a command's results, progress, errors and questions go. The PowerShell cmdlets implement
/// it over their streams (WriteObject, WriteProgress, WriteError, ShouldProcess); tests collect.
/// Commands call it from any thread; implementations marshal as their host needs.
/// </summary>
public interface ICommandHost
{
    /// <summary>Cancelled when the user stops the command (Ctrl-C).</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>A result object for the pipeline.</summary>
    void Output(object item);

    /// <summary>Progress of a long transfer.</summary>
    void Progress(TransferProgress progress);

    /// <summary>A detail for -Verbose.</summary>
    void Verbose(string message);

    /// <summary>Something the user should know that did not stop the work (Write-Warning), e.g. a partial file that had changed on disk.</summary>
    void Warning(string message);

    /// <summary>A problem with one input that does not stop the others (a non-terminating error).</summary>
    void Report(CommandError problem);

    /// <summary>Asks whether to change <paramref name="target"/> (-WhatIf / -Confirm).</summary>
    Task<bool> ShouldProcessAsync(string target, string action);
}

/// <summary>Progress of one transfer: shown by PowerShell's Write-Progress, by tests counted.</summary>
/// <param name="ActivityId">Distinguishes concurrent transfers.</param>
/// <param name="Activity">What is happening ("Uploading big.iso").</param>
/// <param name="Done">Bytes done.</param>
/// <param name="Total">Bytes in all (0 if unknown).</param>
/// <param name="Completed">True on the last report of this activity.</param>
public sealed record TransferProgress(int ActivityId, string Activity, long Done, long Total, bool Completed = false)
{
    /// <summary>0-100, or -1 when the total is unknown.</summary>
    public int Percent => Total > 0 ? (int)Math.Min(100, Done * 100 / Total) : -1;
}

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

/// <summary>A failure with one input: what kind, what about, and what to do.</summary>
public sealed record CommandError(CommandErrorKind Kind, string Message, object? Target, Exception? Exception = null)
{
    /// <summary>A stable identifier for the error (PowerShell's FullyQualifiedErrorId prefix).</summary>
    public string ErrorId => $"Granary.{Kind}";
}

/// <summary>A failure that ends the command (bad session, nothing reachable).</summary>
public sealed class GranaryCommandException(CommandError error) : Exception(error?.Message, error?.Exception)
{
    /// <summary>The error.</summary>
    public CommandError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
