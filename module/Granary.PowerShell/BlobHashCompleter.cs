using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// Completes <c>-Hash</c> with the blobs the session (the command's <c>-Session</c>, else the
/// default one, else the one that showed a blob last) has shown in this PowerShell session, newest
/// first; the tooltip names the file and size.
/// </summary>
public sealed class BlobHashCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        GranarySession? session = (fakeBoundParameters["Session"] is PSObject { BaseObject: GranarySession bound } ? bound : fakeBoundParameters["Session"] as GranarySession)
            ?? DefaultSession()
            ?? RecentBlobs.LatestSession;
        if (session is null)
        {
            yield break;
        }

        foreach (var (hash, label) in RecentBlobs.Of(session))
        {
            if (hash.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(hash, hash[..12] + "…", CompletionResultType.ParameterValue, label);
            }
        }
    }

    /// <summary>
    /// The default session, read through a nested pipeline: completion runs while the prompt's
    /// pipeline is running, when the runspace's SessionStateProxy refuses to be called.
    /// </summary>
    private static GranarySession? DefaultSession()
    {
        if (Runspace.DefaultRunspace is null)
        {
            return null;
        }

        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Get-Variable").AddParameter("Name", GranaryCmdlet.SessionVariable).AddParameter("Scope", "Global")
            .AddParameter("ValueOnly").AddParameter("ErrorAction", ActionPreference.Ignore);
        return shell.Invoke().FirstOrDefault()?.BaseObject as GranarySession;
    }
}
