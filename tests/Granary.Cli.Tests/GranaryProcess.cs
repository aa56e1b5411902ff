using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// Runs the real granary as its own process, the same one the silos of <see cref="SiloProcess"/>
/// are: the published host when build.cake's Test task names it, otherwise the CLI's build output
/// through <c>dotnet</c>.
/// </summary>
internal static class GranaryProcess
{
    /// <inheritdoc cref="SiloProcess.Command"/>
    public static IReadOnlyList<string> Command => SiloProcess.Command;

    /// <summary><see cref="Command"/> for sh, each word in single quotes.</summary>
    public static string ShellCommand => string.Join(' ', Command.Select(word => $"'{word}'"));

    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null) =>
        SiloProcess.CliAsync(arguments, stdin, workingDirectory, timeout);

    /// <summary>A granary process to start with <paramref name="arguments"/> in <paramref name="workingDirectory"/>, its output redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string workingDirectory) =>
        SiloProcess.CliStartInfo(arguments, workingDirectory);
}
