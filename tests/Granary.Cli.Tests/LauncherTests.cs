using System.Diagnostics;
using System.Text;
using Granary.Hashing;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// The published granary is two executables under one name: artifacts/bin/granary, compiled ahead
/// of time, runs <c>hash</c> itself and becomes artifacts/bin/host/granary (the full, JIT-compiled
/// granary) for every other command. Users must not be able to tell them apart.
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private static readonly string Published = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "artifacts", "bin"));

    private static readonly string Launcher = Path.Combine(Published, "granary");
    private static readonly string Host = Path.Combine(Published, "host", "granary");

    /// <summary>A blob ticket for a silo that is not there (a download then waits 5 s to connect).</summary>
    private static readonly string Ticket = $"granary:{new string('a', 52)}@127.0.0.1:9/{new string('0', 64)}";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static void RequirePublished()
    {
        if (!File.Exists(Launcher) || !File.Exists(Host))
        {
            throw new InvalidOperationException($"The published granary is missing ({Launcher} and {Host}): run ./build.sh --target=Publish (the Test target does).");
        }
    }

    /// <summary>A copy of the launcher in a folder of its own, with no host/ beside it; returns the folder.</summary>
    private string CopyLauncherAlone()
    {
        string alone = Directory.CreateDirectory(_directory.File("alone")).FullName;
        File.Copy(Launcher, Path.Combine(alone, "granary"));
        File.SetUnixFileMode(Path.Combine(alone, "granary"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return alone;
    }

    private async Task<ToolResult> RunAsync(string program, params string[] arguments) =>
        await ExternalTool.RunAsync(program, arguments, null, _directory.Path, TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Hash_runs_in_the_launcher_alone_and_prints_what_the_host_prints()
    {
        RequirePublished();
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Hash_runs_in_the_launcher_alone_and_prints_what_the_host_prints)), (3 * 1024 * 1024) + 17);
        await File.WriteAllBytesAsync(_directory.File("data.bin"), data);

        // A launcher with no host beside it: hash must not need one.
        string alone = CopyLauncherAlone();

        foreach (string[] arguments in new[] { new[] { "hash", "data.bin" }, ["hash", "--num-threads", "1", "--length", "40", "data.bin"], ["hash", "--keyed", "data.bin"] })
        {
            byte[]? stdin = arguments.Contains("--keyed") ? new byte[32] : null;
            ToolResult fromLauncher = await ExternalTool.RunAsync(Path.Combine(alone, "granary"), arguments, stdin, _directory.Path);
            ToolResult fromHost = await ExternalTool.RunAsync(Host, arguments, stdin, _directory.Path);
            Assert.True(fromLauncher.ExitCode == 0, $"{string.Join(' ', arguments)}: exit {fromLauncher.ExitCode}: {fromLauncher.Stderr}");
            Assert.Equal(fromHost.StdoutText, fromLauncher.StdoutText);
        }

        ToolResult plain = await RunAsync(Path.Combine(alone, "granary"), "hash", "--no-names", "data.bin");
        Assert.Equal(Blake3.Hash(data).ToString(), plain.StdoutText.Trim());
    }

    [Fact]
    public async Task Other_commands_reach_the_host_with_their_exact_bytes_output_and_exit_code()
    {
        RequirePublished();
        // An argument that is not valid UTF-8 (a legal Linux file name): .NET decodes it to U+FFFD,
        // so the launcher must pass on the kernel's bytes, not its own strings. A download that
        // waits for an unreachable silo gives time to read the process's command line: same
        // process (execve, not a child), now the host, with the byte intact.
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _directory.Path };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec '{Launcher}' get {Ticket} -o $'bad\\xffname'");
        start.Environment["GRANARY_TOKEN"] = "x";
        using (Process process = Process.Start(start)!)
        {
            try
            {
                var waited = Stopwatch.StartNew();
                while (new FileInfo($"/proc/{process.Id}/exe").LinkTarget != Host && waited.Elapsed < TimeSpan.FromSeconds(4))
                {
                    await Task.Delay(20);
                }

                Assert.Equal(Host, new FileInfo($"/proc/{process.Id}/exe").LinkTarget);
                byte[] commandLine = await File.ReadAllBytesAsync($"/proc/{process.Id}/cmdline");
                byte[] expected = [.. Encoding.UTF8.GetBytes("granary\0get\0" + Ticket + "\0-o\0bad"), 0xFF, .. "name\0"u8];
                Assert.Equal(expected, commandLine);
            }
            finally
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        foreach (string[] arguments in new[] { new[] { "--version" }, ["bogus"], ["--help"], ["silo", "run", "--listen", "nowhere"] })
        {
            ToolResult launcher = await RunAsync(Launcher, arguments);
            ToolResult host = await RunAsync(Host, arguments);
            Assert.Equal(host.ExitCode, launcher.ExitCode);
            Assert.Equal(host.StdoutText, launcher.StdoutText);
            Assert.Equal(host.Stderr, launcher.Stderr);
        }
    }

    [Fact]
    public async Task Without_its_host_the_launcher_says_what_is_missing_and_how_to_get_it()
    {
        RequirePublished();
        string alone = CopyLauncherAlone();

        ToolResult result = await RunAsync(Path.Combine(alone, "granary"), "send", "x");

        Assert.Equal(127, result.ExitCode);
        Assert.Contains(Path.Combine(alone, "host", "granary") + " is missing", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("./build.sh --target=Publish", result.Stderr, StringComparison.Ordinal);
    }
}
