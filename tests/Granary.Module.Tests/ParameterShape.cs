using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Granary.PowerShellModule.Tests;

/// <summary>One [Parameter] attribute on a cmdlet property (a property may carry one per parameter set).</summary>
internal sealed record ParameterShape(string Name, string Type, string ParameterSet, bool Mandatory, int Position, bool ByValue, bool ByPropertyName, IReadOnlyList<string> Aliases);
