using System.Text;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// <c>granary hash</c> against b3sum: for the same arguments, standard output must be the same
/// bytes and the exit code the same; only the error messages (standard error) are ours.
/// </summary>
public sealed class HashCommandTests : IDisposable
{
    private static readonly string B3sum = ExternalTool.Require("b3sum", "./build.sh installs it (Debian package b3sum).");
    private readonly TempDirectory _directory = new();

    public HashCommandTests()
    {
        var random = TestRandom.For(nameof(HashCommandTests));
        File.WriteAllBytes(_directory.File("empty"), []);
        File.WriteAllBytes(_directory.File("small.txt"), Encoding.ASCII.GetBytes("hello granary\n"));
        File.WriteAllBytes(_directory.File("large.bin"), TestRandom.Bytes(random, (1 << 20) + 12345));
        File.WriteAllBytes(_directory.File("back\\slash"), [1, 2, 3]);
        File.WriteAllBytes(_directory.File("new\nline"), [4, 5, 6]);
        Directory.CreateDirectory(_directory.File("folder"));
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(ToolResult Ours, ToolResult Theirs)> BothAsync(string[] arguments, byte[]? stdin = null)
    {
        ToolResult theirs = await ExternalTool.RunAsync(B3sum, arguments, stdin, _directory.Path);
        ToolResult ours = await GranaryProcess.RunAsync(["hash", .. arguments], stdin, _directory.Path);
        return (ours, theirs);
    }

    private async Task AssertSameAsync(string[] arguments, byte[]? stdin = null)
    {
        var (ours, theirs) = await BothAsync(arguments, stdin);
        string command = string.Join(' ', arguments);
        Assert.True(theirs.Stdout.AsSpan().SequenceEqual(ours.Stdout),
            $"'{command}': stdout differs.\nb3sum:   {theirs.StdoutText}\ngranary: {ours.StdoutText}\nstderr: {ours.Stderr}");
        Assert.True(theirs.ExitCode == ours.ExitCode, $"'{command}': exit code {ours.ExitCode}, b3sum {theirs.ExitCode}; stderr: {ours.Stderr}");
    }

    [Theory]
    [InlineData("empty", "small.txt", "large.bin")]
    [InlineData("back\\slash", "new\nline", "small.txt")]
    [InlineData("--no-names", "small.txt", "new\nline")]
    [InlineData("--length", "0", "small.txt")]
    [InlineData("--length", "1", "large.bin")]
    [InlineData("-l", "1000", "small.txt", "empty")]
    [InlineData("--raw", "large.bin")]
    [InlineData("--raw", "--length", "300", "small.txt")]
    [InlineData("--derive-key", "granary 2026-11-21 test context", "small.txt", "large.bin")]
    [InlineData("--num-threads", "1", "large.bin")]
    [InlineData("--num-threads", "2", "large.bin")]
    [InlineData("--no-mmap", "large.bin", "empty")]
    public Task Output_is_byte_identical_to_b3sum(params string[] arguments) => AssertSameAsync(arguments);

    [Fact]
    public async Task Standard_input_is_read_when_no_file_or_dash_is_given()
    {
        byte[] input = TestRandom.Bytes(TestRandom.For("stdin"), 100_000);
        await AssertSameAsync([], input);
        await AssertSameAsync(["-"], input);
        await AssertSameAsync(["small.txt", "-"], input);
    }

    [Fact]
    public async Task Keyed_mode_reads_the_key_from_standard_input()
    {
        byte[] key = Encoding.ASCII.GetBytes("whats the Elvish word for friend");
        await AssertSameAsync(["--keyed", "small.txt", "large.bin"], key);

        var (ours, theirs) = await BothAsync(["--keyed", "small.txt"], key[..5]);
        Assert.Equal(theirs.ExitCode != 0, ours.ExitCode != 0);
        Assert.Contains("exactly 32 key bytes", ours.Stderr, StringComparison.Ordinal);
        Assert.Contains("found 5", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_mode_prints_OK_and_FAILED_like_b3sum()
    {
        ToolResult sums = await ExternalTool.RunAsync(B3sum, ["small.txt", "large.bin", "back\\slash", "new\nline"], null, _directory.Path);
        string checkFile = sums.StdoutText + "0000000000000000000000000000000000000000000000000000000000000000  empty\n";
        await File.WriteAllTextAsync(_directory.File("sums"), checkFile);
        await AssertSameAsync(["--check", "sums"]);
        await AssertSameAsync(["-c", "--quiet", "sums"]);

        await File.WriteAllTextAsync(_directory.File("good"), sums.StdoutText);
        await AssertSameAsync(["--check", "good"]);
        var (ours, _) = await BothAsync(["--check", "sums"]);
        Assert.Contains("1 computed checksum did NOT match", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_or_missing_file_is_reported_after_the_other_files_are_hashed()
    {
        await AssertSameAsync(["small.txt", "folder", "missing", "large.bin"]);
        var (ours, _) = await BothAsync(["small.txt", "folder", "missing"]);
        Assert.Contains("folder: is a directory", ours.Stderr, StringComparison.Ordinal);
        Assert.Contains("missing: no such file or directory", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_check_line_is_named_with_its_line_number()
    {
        await File.WriteAllTextAsync(_directory.File("bad-sums"), "not a checksum line\n");
        ToolResult ours = await GranaryProcess.RunAsync(["hash", "--check", "bad-sums"], null, _directory.Path);
        Assert.Equal(1, ours.ExitCode);
        Assert.Contains("bad-sums:1:", ours.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--keyed and --derive-key", "--keyed", "--derive-key", "x", "small.txt")]
    [InlineData("takes one input only", "--raw", "small.txt", "large.bin")]
    [InlineData("cannot be combined with --length", "--check", "--length", "10", "sums")]
    [InlineData("--quiet only applies to --check", "--quiet", "small.txt")]
    [InlineData("--num-threads must be 0", "--num-threads", "-3", "small.txt")]
    public async Task Conflicting_options_are_refused_with_what_to_do(string message, params string[] arguments)
    {
        ToolResult ours = await GranaryProcess.RunAsync(["hash", .. arguments], null, _directory.Path);
        Assert.NotEqual(0, ours.ExitCode);
        Assert.Empty(ours.Stdout);
        Assert.Contains(message, ours.Stderr, StringComparison.Ordinal);
    }
}
