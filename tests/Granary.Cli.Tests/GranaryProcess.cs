using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>Runs the real granary executable (built beside the tests) as its own process.</summary>
internal static class GranaryProcess
{
    private static readonly string Dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "granary.dll");

    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null) =>
        ExternalTool.RunAsync(Dotnet, [Dll, .. arguments], stdin, workingDirectory);
}
