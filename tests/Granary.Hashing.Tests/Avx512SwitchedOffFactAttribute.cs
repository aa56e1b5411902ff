namespace Granary.Hashing.Tests;

/// <summary>
/// A fact that runs only in the suite's second run of this project, where build.cake sets
/// <c>DOTNET_EnableAVX512=0</c> (the .NET 10 switch; <c>DOTNET_EnableAVX512F</c> is ignored), and
/// is reported as skipped otherwise: xunit 2 has no run-time skip, so the decision is made when
/// the attribute is constructed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Avx512SwitchedOffFactAttribute : FactAttribute
{
    /// <summary>True when this process runs with the runtime's AVX-512 switched off.</summary>
    public static bool SwitchedOff => Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0";

    /// <summary>Skips the fact unless <see cref="SwitchedOff"/>.</summary>
    public Avx512SwitchedOffFactAttribute()
    {
        if (!SwitchedOff)
        {
            Skip = "runs only with DOTNET_EnableAVX512=0 (the suite's second hashing run)";
        }
    }
}
