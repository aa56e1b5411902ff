using System.Diagnostics;

namespace Granary.Testing;

/// <summary>Runs real external programs (b3sum, the granary CLI) for cross-checks.</summary>
public static class ExternalTool
{
    /// <summary>
    /// The full path of <paramref name="name"/> on PATH; fails the test with how to get it when missing,
    /// so that a machine without the anchor tool never passes silently.
    /// </summary>
    public static string Require(string name, string howToInstall)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' is not on PATH; {howToInstall}");
    }

    /// <summary>Runs a program to completion with optional standard input; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<ToolResult> RunAsync(
        string fileName, IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        var stdout = new MemoryStream();
        Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellation.Token);
        Task<string> copyErr = process.StandardError.ReadToEndAsync(cancellation.Token);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellation.Token);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in time.");
        }

        await copyOut;
        return new ToolResult(process.ExitCode, stdout.ToArray(), await copyErr);
    }
}
