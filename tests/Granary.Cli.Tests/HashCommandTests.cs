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
        File.WriteAllBytes(_directory.File("carriage\rreturn"), [7, 8, 9]);
        File.WriteAllBytes(_directory.File("-x"), [10]);
        File.WriteAllBytes(_directory.File("@at"), [11]);
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
    [InlineData("carriage\rreturn", "small.txt")]
    [InlineData("--", "-x", "small.txt")]
    [InlineData("small.txt", "--", "--bogus")]
    [InlineData("@at", "@missing")]
    [InlineData("-l3", "small.txt")]
    [InlineData("--length=3", "small.txt")]
    [InlineData("--num-threads=2", "large.bin")]
    [InlineData("--num-threads", "0", "large.bin")]
    public Task Output_is_byte_identical_to_b3sum(params string[] arguments) => AssertSameAsync(arguments);

    [Fact]
    public async Task Output_to_a_file_shared_with_other_commands_lands_in_order_as_b3sums_does()
    {
        foreach (string tool in new[] { $"{GranaryProcess.ShellCommand} hash", B3sum })
        {
            string script = $"{{ echo BEFORE; {tool} small.txt; {tool} empty; echo AFTER; }} > shared.txt";
            Assert.Equal(0, (await ExternalTool.RunAsync("bash", ["-c", script], null, _directory.Path)).ExitCode);
            string[] lines = await File.ReadAllLinesAsync(_directory.File("shared.txt"));
            Assert.Equal(["BEFORE", "small.txt", "empty", "AFTER"], lines.Select(l => l.Split("  ")[^1]));
        }
    }

    [Fact]
    public async Task A_reader_that_leaves_early_stops_the_output_as_it_stops_b3sum()
    {
        // 2^64 - 1 output bytes would take forever: only a broken pipe can end this in time.
        string pipeline = $"{GranaryProcess.ShellCommand} hash --length 18446744073709551615 small.txt | head -c 100 > /dev/null; echo ${{PIPESTATUS[0]}}";
        ToolResult result = await ExternalTool.RunAsync("bash", ["-c", pipeline], null, _directory.Path).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("141", result.StdoutText.Trim());
        Assert.Equal(string.Empty, result.Stderr.Trim());
    }

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
    [InlineData("--num-threads -3 is out of range: use 0 to 1024", "--num-threads", "-3", "small.txt")]
    public async Task Conflicting_options_are_refused_with_what_to_do(string message, params string[] arguments)
    {
        ToolResult ours = await GranaryProcess.RunAsync(["hash", .. arguments], null, _directory.Path);
        Assert.NotEqual(0, ours.ExitCode);
        Assert.Empty(ours.Stdout);
        Assert.Contains(message, ours.Stderr, StringComparison.Ordinal);
    }

    private const string GoodHashOfQ = "f003db3c8fddc3611cd75cdcb05108606923e0bc137e99f53a83bfdd5c8fd6d6";

    /// <summary>
    /// Check files b3sum 1.2.0 treats in particular ways. "{H}" is the hash of file q (content "q"),
    /// "{U}" the same in uppercase; "<FF>" is a raw 0xFF byte (not UTF-8). A second check file,
    /// all good, follows each, to show whether checking goes on.
    /// </summary>
    [Theory]
    [InlineData("crlf", "{H}  q\r\n")]
    [InlineData("crlf-then-good", "{H}  q\r\n{H}  q\n")]
    [InlineData("uppercase-hex", "{U}  q\n{H}  q\n")]
    [InlineData("blank-first", "\n{H}  q\n")]
    [InlineData("blank-middle", "{H}  q\n\n{H}  q\n")]
    [InlineData("blank-last", "{H}  q\n\n")]
    [InlineData("missing-file", "{H}  missing\n{H}  q\n")]
    [InlineData("directory", "{H}  folder\n{H}  q\n")]
    [InlineData("no-final-newline", "{H}  q")]
    [InlineData("one-space", "{H} q\n{H}  q\n")]
    [InlineData("binary-marker", "{H} *q\n{H}  q\n")]
    [InlineData("short-hash", "abc  q\n{H}  q\n")]
    [InlineData("empty-name", "{H}  \n{H}  q\n")]
    [InlineData("bad-escape", "\\{H}  q\\x\n{H}  q\n")]
    [InlineData("escaped-newline", "\\{H}  o\\nk\n{H}  q\n")]
    [InlineData("unescaped-backslash", "{H}  back\\slash\n{H}  q\n")]
    [InlineData("replacement-char", "{H}  a\uFFFDb\n{H}  q\n")]
    [InlineData("nul-in-name", "{H}  a\0b\n{H}  q\n")]
    [InlineData("non-ascii-prefix", "\u00e9{H}  q\n{H}  q\n")]
    [InlineData("invalid-utf8-line-2", "{H}  q\n{H}  a<FF>b\n{H}  q\n")]
    [InlineData("wrong-hash", "0000000000000000000000000000000000000000000000000000000000000000  q\n")]
    public async Task Check_output_and_exit_code_are_b3sums_for_every_kind_of_line(string name, string content)
    {
        await File.WriteAllTextAsync(_directory.File("q"), "q");
        await File.WriteAllTextAsync(_directory.File("good"), $"{GoodHashOfQ}  q\n");
        string text = content.Replace("{H}", GoodHashOfQ, StringComparison.Ordinal).Replace("{U}", GoodHashOfQ.ToUpperInvariant(), StringComparison.Ordinal);
        byte[] bytes = Encoding.UTF8.GetBytes(text.Replace("<FF>", "\u0001", StringComparison.Ordinal)).Select(b => b == 1 ? (byte)0xFF : b).ToArray();
        await File.WriteAllBytesAsync(_directory.File(name), bytes);
        await AssertSameAsync(["--check", name, "good"]);
        await AssertSameAsync(["--check", "--quiet", name, "good"]);
    }

    [Theory]
    [InlineData("missing-check-file")]
    [InlineData("folder")]
    public async Task An_unreadable_check_file_stops_checking_as_in_b3sum(string checkFile)
    {
        await File.WriteAllTextAsync(_directory.File("q"), "q");
        await File.WriteAllTextAsync(_directory.File("good"), $"{GoodHashOfQ}  q\n");
        await AssertSameAsync(["--check", checkFile, "good"]);
        await AssertSameAsync(["--check", "good", checkFile, "good"]);
        var (ours, _) = await BothAsync(["--check", checkFile]);
        Assert.Contains("cannot read the check file", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_with_a_carriage_return_is_checked_back_from_the_hash_output()
    {
        ToolResult sums = await GranaryProcess.RunAsync(["hash", "carriage\rreturn", "new\nline", "back\\slash"], null, _directory.Path);
        Assert.Equal(0, sums.ExitCode);
        await File.WriteAllBytesAsync(_directory.File("ours.b3"), sums.Stdout);
        ToolResult check = await GranaryProcess.RunAsync(["hash", "--check", "ours.b3"], null, _directory.Path);
        Assert.True(check.ExitCode == 0, check.Stderr);
        Assert.Equal("carriage\rreturn: OK\n\\new\\nline: OK\n\\back\\\\slash: OK\n", check.StdoutText);
        await AssertSameAsync(["--check", "ours.b3"]);
    }

    [Fact]
    public async Task A_file_that_may_not_be_read_fails_as_in_b3sum()
    {
        // Root reads everything: then both tools run as 'nobody', which may not read the file.
        await File.WriteAllTextAsync(_directory.File("q"), "q");
        await File.WriteAllTextAsync(_directory.File("locked"), "secret");
        File.SetUnixFileMode(_directory.File("locked"), UnixFileMode.None);
        await File.WriteAllTextAsync(_directory.File("sums"), $"{GoodHashOfQ}  locked\n{GoodHashOfQ}  q\n");
        File.SetUnixFileMode(_directory.Path, (UnixFileMode)0b111_101_101);
        bool root = Environment.UserName == "root";
        string[] asNobody = root ? [ExternalTool.Require("setpriv", "it is in util-linux."), "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
        foreach (string[] arguments in new[] { new[] { "--check", "sums" }, ["locked", "q"] })
        {
            ToolResult theirs = await RunAsAsync(asNobody, [B3sum, .. arguments]);
            ToolResult ours = await RunAsAsync(asNobody, [.. GranaryProcess.Command, "hash", .. arguments]);
            Assert.Equal(theirs.StdoutText, ours.StdoutText);
            Assert.Equal(theirs.ExitCode, ours.ExitCode);
            Assert.Equal(1, ours.ExitCode);
            Assert.Contains("locked: permission denied", ours.Stderr, StringComparison.Ordinal);
        }
    }

    private Task<ToolResult> RunAsAsync(string[] prefix, string[] command) =>
        // 'nobody' may not read root's home, where the .NET host looks for its settings.
        ExternalTool.RunAsync("env", [$"HOME={_directory.Path}", .. prefix, .. command], null, _directory.Path);

    [Fact]
    public async Task Names_that_are_not_UTF8_are_hashed_and_printed_as_b3sum_prints_them()
    {
        // Made by the shell: .NET cannot name such files. The glob passes the raw bytes on.
        Directory.CreateDirectory(_directory.File("raw"));
        ToolResult made = await ExternalTool.RunAsync("sh", ["-c", "cd raw && printf abc > \"$(printf 'a\\377b')\" && printf d > \"$(printf 'c\\342\\202d\\303')\" && printf e > \"$(printf 'back\\\\\\376')\" && printf f > plain"], null, _directory.Path);
        Assert.True(made.ExitCode == 0, made.Stderr);
        Assert.Equal(4, Directory.GetFiles(_directory.File("raw")).Length);

        const string Glob = "exec \"$@\" raw/*";
        ToolResult theirs = await ExternalTool.RunAsync("sh", ["-c", Glob, "sh", B3sum], null, _directory.Path);
        ToolResult ours = await ExternalTool.RunAsync("sh", ["-c", Glob, "sh", .. GranaryProcess.Command, "hash"], null, _directory.Path);
        Assert.Equal(0, theirs.ExitCode);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        Assert.Equal(theirs.StdoutText, ours.StdoutText);
        Assert.Contains("  raw/a\uFFFDb\n", ours.StdoutText, StringComparison.Ordinal);

        // b3sum's check refuses such lines (the name is lost); so do we, with the same output.
        await File.WriteAllBytesAsync(_directory.File("raw.b3"), theirs.Stdout);
        await AssertSameAsync(["--check", "raw.b3"]);
    }

    [Fact]
    public async Task Keyed_mode_refuses_to_hash_standard_input_which_holds_the_key()
    {
        byte[] key = Encoding.ASCII.GetBytes("whats the Elvish word for friend");
        // Without FILEs both refuse before reading standard input (so none is given: it would break the pipe).
        await AssertSameAsync(["--keyed"]);
        await AssertSameAsync(["--keyed", "-"], key);
        await AssertSameAsync(["--keyed", "small.txt", "-", "large.bin"], key);
        var (ours, theirs) = await BothAsync(["--keyed"]);
        Assert.Equal(1, theirs.ExitCode);
        Assert.Contains("key from standard input", ours.Stderr, StringComparison.Ordinal);
        (ours, _) = await BothAsync(["--keyed", "small.txt", "-"], key);
        Assert.Contains("standard input holds the key", ours.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-V")]
    public async Task Version_is_printed_in_b3sums_format(string option)
    {
        ToolResult theirs = await ExternalTool.RunAsync(B3sum, [option], null, _directory.Path);
        Assert.Matches(@"^b3sum \d+\.\d+\.\d+\n$", theirs.StdoutText);
        foreach (string[] arguments in new[] { new[] { option }, ["hash", option] })
        {
            ToolResult ours = await GranaryProcess.RunAsync(arguments, null, _directory.Path);
            Assert.Equal(0, ours.ExitCode);
            Assert.Matches(@"^granary \d+\.\d+\.\d+\n$", ours.StdoutText);
        }
    }
}
