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
