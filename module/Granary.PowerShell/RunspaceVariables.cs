using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Granary.PowerShell;

/// <summary>
/// The variables of the runspace a completer runs in, read through a nested pipeline: completion
/// runs while the prompt's pipeline does, when the runspace's SessionStateProxy refuses to be called.
/// </summary>
internal static class RunspaceVariables
{
    /// <summary>The variables visible from the current scope (Get-Variable), or, with <paramref name="name"/>, that one in <paramref name="scope"/>; none outside a runspace.</summary>
    public static IReadOnlyList<PSVariable> Get(string? name = null, string? scope = null)
    {
        if (Runspace.DefaultRunspace is null)
        {
            return [];
        }

        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Get-Variable").AddParameter("ErrorAction", ActionPreference.Ignore);
        if (name is not null)
        {
            shell.AddParameter("Name", name);
        }

        if (scope is not null)
        {
            shell.AddParameter("Scope", scope);
        }

        return [.. shell.Invoke().Select(found => found.BaseObject).OfType<PSVariable>()];
    }

    /// <summary>A variable's value without PowerShell's wrapper.</summary>
    public static object? Unwrapped(PSVariable variable) => variable.Value is PSObject wrapped ? wrapped.BaseObject : variable.Value;
}
