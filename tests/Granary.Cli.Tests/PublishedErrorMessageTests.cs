using System.Diagnostics;
using System.Text.RegularExpressions;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// The published granary (trimmed, self-contained: what users run) says in words what went wrong
/// on every error path we can provoke: no .NET resource keys (IO_FileNotFound_FileName, once shown
/// because UseSystemResourceKeys dropped the runtime's texts) and no stack traces.
/// </summary>
public sealed partial class PublishedErrorMessageTests : IDisposable
{
    private static readonly string Granary = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "artifacts", "bin", "granary"));

    private readonly TempDirectory _directory = new();

    public PublishedErrorMessageTests()
    {
        File.WriteAllText(_directory.File("small.txt"), "hello\n");
        File.WriteAllText(_directory.File("bogus.token"), "not the token");
        Directory.CreateDirectory(_directory.File("folder"));
    }

    public void Dispose() => _directory.Dispose();

    // IO_FileNotFound_FileName, Arg_NullReference...: mixed case after an underscore, unlike
    // environment variable names such as GRANARY_SILO that messages rightly mention.
    [GeneratedRegex(@"\b[A-Z][A-Za-z]*_[A-Z][A-Za-z]*[a-z][A-Za-z_]*\b")]
    private static partial Regex ResourceKey();

    private static void RequirePublished()
    {
        if (!File.Exists(Granary))
        {
            throw new InvalidOperationException($"The published granary is missing at {Granary}: run ./build.sh --target=Publish (the Test target does).");
        }
    }

    private async Task<ToolResult> RunAsync(params string[] arguments) =>
        await ExternalTool.RunAsync(Granary, arguments, null, _directory.Path, TimeSpan.FromMinutes(1));

    private static void AssertWords(string what, ToolResult result, int expectedExit = -1)
    {
        string all = result.StdoutText + result.Stderr;
        Assert.True(result.ExitCode != 0, $"{what}: succeeded, but it should fail");
        if (expectedExit >= 0)
        {
            Assert.True(result.ExitCode == expectedExit, $"{what}: exit code {result.ExitCode}, expected {expectedExit}: {all}");
        }

        Assert.False(ResourceKey().IsMatch(all), $"{what}: a resource key instead of words: {all}");
        Assert.DoesNotContain(" at System.", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", all, StringComparison.Ordinal);
        Assert.True(result.Stderr.Trim().Length > 0, $"{what}: failed without a message");
    }

    [Fact]
    public async Task Local_error_paths_say_what_happened_in_words()
    {
        RequirePublished();
        string longName = string.Join('/', Enumerable.Repeat(new string('n', 250), 20));
        var cases = new (string What, string[] Arguments, int Exit)[]
        {
            ("missing file", ["hash", "missing"], 1),
            ("missing directory", ["hash", "no-such-dir/x"], 1),
            ("path too long", ["hash", longName], 1),
            ("name too long", ["hash", new string('n', 300)], 1),
            ("directory as a file", ["hash", "folder"], 1),
            ("missing check file", ["hash", "--check", "missing"], 1),
            ("directory as a check file", ["hash", "--check", "folder"], 1),
            ("unknown option", ["hash", "--bogus"], 2),
            ("bad number", ["hash", "--num-threads", "abc", "small.txt"], 2),
            ("number out of range", ["hash", "--num-threads", "99999999999", "small.txt"], 2),
            ("bad ttl", ["send", "small.txt", "--ttl", "Infinityd"], 2),
            ("ttl without unit", ["extend", new string('a', 64), "--ttl", "10"], 2),
            ("bad replicas", ["silo", "run", "--replicas", "abc"], 2),
            ("missing token file", ["info", new string('a', 64), "--silo", BogusTicket, "--token-file", "missing.token"], 2),
            ("bad ticket", ["get", "granary:nonsense", "-o", "x"], 2),
            ("no silo", ["info", new string('a', 64)], 2),
            ("missing required option", ["get", new string('a', 64)], 2),
            ("silo data directory is a file", ["silo", "run", "--data", "small.txt", "--listen", "127.0.0.1:0"], 1),
        };
        foreach (var (what, arguments, exit) in cases)
        {
            AssertWords(what, await RunAsync(arguments), exit);
        }
    }

    private static string BogusTicket => $"granary:{new string('a', 52)}@127.0.0.1:9";

    [Fact]
    public async Task An_unreachable_silo_is_reported_in_words()
    {
        RequirePublished();
        AssertWords("unreachable silo", await RunAsync("info", new string('a', 64), "--silo", BogusTicket, "--token-file", "bogus.token"), 3);
    }

    [Fact]
    public async Task A_packet_size_no_path_can_take_is_refused_in_words_by_client_and_silo()
    {
        RequirePublished();
        File.WriteAllText(_directory.File("some.token"), "token");
        ToolResult client = await ExternalTool.RunAsync("env", ["GRANARY_UDP_PAYLOAD=9000", Granary, "info", new string('a', 64), "--silo", BogusTicket, "--token-file", "some.token"], null, _directory.Path);
        AssertWords("client with GRANARY_UDP_PAYLOAD=9000", client, 2);
        Assert.Contains("GRANARY_UDP_PAYLOAD is '9000'; it must be a UDP payload size from 1200 to 1480 bytes", client.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--help", client.Stderr, StringComparison.Ordinal); // the command's help does not cover the environment

        ToolResult silo = await ExternalTool.RunAsync("env", ["GRANARY_UDP_PAYLOAD=jumbo", Granary, "silo", "run", "--data", "silo", "--listen", "127.0.0.1:0"], null, _directory.Path, TimeSpan.FromMinutes(1));
        AssertWords("silo with GRANARY_UDP_PAYLOAD=jumbo", silo, 1);
        Assert.Contains("GRANARY_UDP_PAYLOAD is 'jumbo'", silo.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_may_not_be_read_is_reported_in_words()
    {
        RequirePublished();
        File.WriteAllText(_directory.File("locked"), "secret");
        File.SetUnixFileMode(_directory.File("locked"), UnixFileMode.None);
        File.SetUnixFileMode(_directory.Path, (UnixFileMode)0b111_101_101);
        string[] asNobody = Environment.UserName == "root" ? [ExternalTool.Require("setpriv", "it is in util-linux."), "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
        ToolResult result = await ExternalTool.RunAsync("env", [$"HOME={_directory.Path}", .. asNobody, Granary, "hash", "locked"], null, _directory.Path);
        AssertWords("permission denied", result, 1);
        Assert.Contains("permission denied", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_against_a_running_silo_are_reported_in_words()
    {
        RequirePublished();
        var start = new ProcessStartInfo(Granary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _directory.Path };
        foreach (string argument in new[] { "silo", "run", "--data", ".granary", "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process silo = Process.Start(start)!;
        Task<string> log = silo.StandardError.ReadToEndAsync();
        try
        {
            string? ready = await silo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("ready granary:", ready, StringComparison.Ordinal);
            ToolResult sent = await RunAsync("send", "small.txt");
            Assert.True(sent.ExitCode == 0, sent.Stderr);
            string ticket = sent.StdoutText.Trim().Split(' ')[1];

            AssertWords("get into a missing directory", await RunAsync("get", ticket, "-o", "/nonexistent-dir/x"), 4);
            AssertWords("get into a directory that is a file", await RunAsync("get", ticket, "-o", "small.txt/x"), 4);
            AssertWords("send a missing file", await RunAsync("send", "missing"), 4);
            AssertWords("wrong token", await RunAsync("info", ticket, "--token-file", "bogus.token"), 3);
            AssertWords("missing blob", await RunAsync("info", new string('b', 64)), 1);
        }
        finally
        {
            silo.Kill(entireProcessTree: true);
            await silo.WaitForExitAsync();
        }

        string siloLog = await log;
        Assert.False(ResourceKey().IsMatch(siloLog), $"the silo log shows a resource key: {siloLog}");
    }
}
