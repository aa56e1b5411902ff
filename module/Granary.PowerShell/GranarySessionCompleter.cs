using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
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
        if (Runspace.DefaultRunspace is null)
        {
            return [];
        }

        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Get-Variable");
        var results = new List<CompletionResult>();
        foreach (PSObject found in shell.Invoke())
        {
            if (found.BaseObject is PSVariable { Value: var value } variable
                && (value is PSObject wrapped ? wrapped.BaseObject : value) is GranarySession { IsOpen: true } session
                && variable.Name != GranaryCmdlet.SessionVariable
                && variable.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                results.Add(new CompletionResult("$" + variable.Name, "$" + variable.Name, CompletionResultType.Variable, session.ToString()));
            }
        }

        return results;
    }
}
