using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// Completes <c>-Hash</c> with the blobs the session (the command's <c>-Session</c>, else the
/// default one) has shown in this PowerShell session, newest first; the tooltip names the file and size.
/// </summary>
public sealed class BlobHashCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        ArgumentNullException.ThrowIfNull(fakeBoundParameters);
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        GranarySession? session = (fakeBoundParameters["Session"] is PSObject { BaseObject: GranarySession bound } ? bound : fakeBoundParameters["Session"] as GranarySession)
            ?? RunspaceVariables.Get(GranaryCmdlet.SessionVariable, "Global").Select(RunspaceVariables.Unwrapped).OfType<GranarySession>().FirstOrDefault();
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
}
