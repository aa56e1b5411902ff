using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Granary.PowerShellModule.Tests;

/// <summary>A cmdlet as its compiled attributes describe it.</summary>
internal sealed record CmdletShape(
    string ClassName, string Verb, string Noun, bool SupportsShouldProcess, int ConfirmImpact, string? DefaultParameterSet, IReadOnlyList<ParameterShape> Parameters)
{
    public string Name => $"{Verb}-{Noun}";
}
