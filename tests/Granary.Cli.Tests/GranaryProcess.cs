using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>Runs the real granary executable (built beside the tests) as its own process.</summary>
internal static class GranaryProcess
{
    /// <summary>
    /// The CLI's own build output (not the copy in this test folder): its RID-specific deps file
    /// expects its native libraries (SQLite, QUIC) beside it, as they are there.
    /// </summary>
    public static readonly string Dll = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "silo", "Granary.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "linux-x64", "granary.dll"));

    public static string Dotnet => DotnetHost;

    private static readonly string DotnetHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null) =>
        ExternalTool.RunAsync(DotnetHost, [Dll, .. arguments], stdin, workingDirectory);
}
