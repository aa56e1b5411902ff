using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// Runs the real granary as its own process: the published host when build.cake's Test task names
/// it (<see cref="SiloProcess.PublishedHost"/>), otherwise the CLI's own build output through
/// <c>dotnet</c> (not the copy in this test folder: its RID-specific deps file expects its native
/// libraries, SQLite and QUIC, beside it, as they are there).
/// </summary>
internal static class GranaryProcess
{
    private static readonly string Dll = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "silo", "Granary.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "linux-x64", "granary.dll"));

    private static readonly string DotnetHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The program and the arguments before granary's own: [host] or [dotnet, granary.dll].</summary>
    public static IReadOnlyList<string> Command { get; } = SiloProcess.PublishedHost is { } host ? [host] : [DotnetHost, Dll];

    /// <summary><see cref="Command"/> for sh, each word in single quotes.</summary>
    public static string ShellCommand => string.Join(' ', Command.Select(word => $"'{word}'"));

    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null) =>
        ExternalTool.RunAsync(Command[0], [.. Command.Skip(1), .. arguments], stdin, workingDirectory, timeout);

    /// <summary>A granary process to start with <paramref name="arguments"/>, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string argument in Command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
