using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// Completes <c>-Session</c> with the variables that hold an open <see cref="GranarySession"/>
/// (<c>$prod</c> from <c>$prod = Connect-GranaryCluster … -PassThru</c>), the way
/// <c>-Session</c> of the PSRemoting cmdlets completes from variables.
/// </summary>
public sealed class GranarySessionCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).TrimStart('$');
        var results = new List<CompletionResult>();
        foreach (PSVariable variable in RunspaceVariables.Get())
        {
            if (RunspaceVariables.Unwrapped(variable) is GranarySession { IsOpen: true } session
                && variable.Name != GranaryCmdlet.SessionVariable
                && variable.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new CompletionResult("$" + variable.Name, "$" + variable.Name, CompletionResultType.Variable, session.ToString()));
            }
        }

        return results;
    }
}
