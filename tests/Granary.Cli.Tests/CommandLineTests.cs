using Granary.Testing;
using Granary.Blobs.Commands;

namespace Granary.Cli.Tests;

/// <summary>
/// The command line of every granary command: unknown options and bad values are usage errors
/// (exit 2, nothing on standard output, a message naming the option and what it accepts), never
/// a stack trace, never a file name or a value with a unit the user did not write.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CommandLineTests() => File.WriteAllText(_directory.File("small.txt"), "hello\n");

    public void Dispose() => _directory.Dispose();

    private async Task AssertUsageErrorAsync(string[] arguments, params string[] expected)
    {
        ToolResult result = await GranaryProcess.RunAsync(arguments, null, _directory.Path);
        string command = string.Join(' ', arguments);
        Assert.True(result.ExitCode == 2, $"'{command}': exit code {result.ExitCode}; stderr: {result.Stderr}");
        Assert.True(result.Stdout.Length == 0, $"'{command}': printed '{result.StdoutText}' on standard output");
        Assert.DoesNotContain(" at System.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        foreach (string words in expected)
        {
            Assert.Contains(words, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("hash", "--bogus", "small.txt")]
    [InlineData("hash", "-x")]
    [InlineData("hash", "small.txt", "-x", "--", "-y")]
    [InlineData("send", "--bogus", "small.txt")]
    [InlineData("send", "-q")]
    [InlineData("get", "-z", "-o", "out")]
    [InlineData("info", "--bogus")]
    [InlineData("extend", "--bogus", "--ttl", "1d")]
    [InlineData("rm", "-r")]
    [InlineData("cluster", "drain", "--force")]
    public Task An_unknown_option_is_a_usage_error_for_every_command(params string[] arguments) =>
        AssertUsageErrorAsync(arguments, $"unknown option '{arguments.First(a => a.StartsWith('-'))}'", "put '--' before it");

    [Theory]
    [InlineData("--bogus")]
    [InlineData("silo", "run", "--bogus")]
    [InlineData("cluster", "status", "--bogus")]
    public Task An_unknown_option_of_a_command_without_arguments_is_a_usage_error(params string[] arguments) =>
        AssertUsageErrorAsync(arguments, "--bogus");

    [Theory]
    [InlineData("--num-threads 'abc' is not a whole number: use 0 to 1024", "hash", "--num-threads", "abc", "small.txt")]
    [InlineData("--num-threads 99999999999 is out of range: use 0 to 1024", "hash", "--num-threads", "99999999999", "small.txt")]
    [InlineData("--num-threads 1025 is out of range: use 0 to 1024", "hash", "--num-threads", "1025", "small.txt")]
    [InlineData("--length 'abc' is not a whole number: use 0 to 18446744073709551615", "hash", "--length", "abc", "small.txt")]
    [InlineData("--length 18446744073709551616 is out of range: use 0 to 18446744073709551615", "hash", "-l", "18446744073709551616", "small.txt")]
    [InlineData("--length -1 is out of range", "hash", "--length", "-1", "small.txt")]
    [InlineData("--replicas 'abc' is not a whole number: use 1 to 16", "silo", "run", "--replicas", "abc")]
    [InlineData("--replicas 0 is out of range: use 1 to 16", "silo", "run", "--replicas", "0")]
    [InlineData("--replicas 99999999999 is out of range: use 1 to 16", "silo", "run", "--replicas", "99999999999")]
    [InlineData("PORT 0 to 65535", "silo", "run", "--listen", "127.0.0.1:99999")]
    [InlineData("PORT 0 to 65535", "silo", "run", "--listen", "somewhere")]
    [InlineData("--output (-o) needs a path", "get", "0000000000000000000000000000000000000000000000000000000000000000", "-o", "")]
    public Task A_bad_number_names_the_option_and_its_range(string message, params string[] arguments) =>
        AssertUsageErrorAsync(arguments, message);

    [Theory]
    [InlineData("1e9d", "is not a duration")]
    [InlineData("Infinityd", "is not a duration")]
    [InlineData("NaNd", "is not a duration")]
    [InlineData("-5d", "is not a duration")]
    [InlineData("soon", "is not a duration")]
    [InlineData("10", "has no unit")]
    [InlineData("0s", "is out of range: use from 1s to 36500d (100 years)")]
    [InlineData("0.5s", "is out of range: use from 1s to 36500d (100 years)")]
    [InlineData("36501d", "is out of range: use from 1s to 36500d (100 years)")]
    [InlineData("99999999999999999999999d", "is out of range: use from 1s to 36500d (100 years)")]
    public async Task A_bad_ttl_is_refused_before_anything_is_sent_with_the_units_to_use(string ttl, string problem)
    {
        // No silo is running: the refusal must come from the command line itself.
        string[] expected = problem.Contains("out of range", StringComparison.Ordinal) ? ["--ttl", problem] : ["--ttl", problem, "30s, 10m, 12h or 7d"];
        await AssertUsageErrorAsync(["send", "small.txt", "--ttl", ttl], expected);
        await AssertUsageErrorAsync(["extend", new string('a', 64), "--ttl", ttl], "--ttl", problem);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData("1.5h", 5400)]
    [InlineData("36500d", 3153600000)]
    public void A_ttl_with_a_unit_is_that_many_seconds(string text, long seconds)
    {
        Assert.True(Durations.TryParse(text, "--ttl", out TimeSpan ttl, out string? problem), problem);
        Assert.Equal(seconds, (long)ttl.TotalSeconds);
        Assert.Equal(TimeSpan.FromSeconds(seconds), Blobs.BlobCommands.ParseTtl(text));
    }

    [Fact]
    public void Undecodable_arguments_are_recovered_byte_for_byte_from_the_raw_command_line()
    {
        byte[] commandLine = [.. "dotnet\0granary.dll\0hash\0a"u8, 0xFF, .. "b\0c"u8, 0xE2, 0x82, .. "\0\0"u8];
        string[] decoded = ["hash", "a\uFFFDb", "c\uFFFD", string.Empty];
        string[] recovered = RawArguments.Recover(decoded, commandLine);
        Assert.Equal("hash", recovered[0]);
        Assert.Equal(string.Empty, recovered[3]);
        Assert.Equal([.. "a"u8, 0xFF, .. "b"u8], OsPath.ToBytes(recovered[1]));
        Assert.Equal([.. "c"u8, 0xE2, 0x82], OsPath.ToBytes(recovered[2]));
        Assert.Equal("a\uFFFDb", OsPath.ToDisplay(recovered[1]));
        Assert.Equal("c\uFFFD", OsPath.ToDisplay(recovered[2]));
        Assert.NotEqual(recovered[1], RawArguments.Recover(["a\uFFFDb"], [.. "x\0a"u8, 0xFE, .. "b\0"u8])[0]);

        // A command line that does not line up is left alone rather than guessed at.
        Assert.Equal(decoded, RawArguments.Recover(decoded, "dotnet\0other\0"u8));
    }
}
