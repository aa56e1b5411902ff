using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>
/// What a retry script sees when a silo stops (SIGTERM) mid-download, and what a resumed
/// `granary get` does with a partial file that was damaged in the meantime: real processes.
/// </summary>
public sealed class ShutdownAndResumeProcessTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private Task<ToolResult> GranaryAsync(params string[] arguments) =>
        GranaryProcess.RunAsync(arguments, null, _directory.Path);

    private Process StartGranary(params string[] arguments)
    {
        return Process.Start(GranaryProcess.StartInfo(arguments, _directory.Path))!;
    }

    private static async Task WaitForPartialAsync(string file, long bytes)
    {
        string done = file.EndsWith(".partial", StringComparison.Ordinal) ? file[..^".partial".Length] : file;
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(file) && new FileInfo(file).Length >= bytes))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), File.Exists(done)
                ? $"{file} was not seen at {bytes} bytes or more before the download finished ({done} exists): the poll was starved for the whole download"
                : $"{file} never reached {bytes} bytes");
            await Task.Delay(2);
        }
    }

    [Fact]
    public async Task A_silo_stopped_mid_download_makes_get_exit_3_and_the_retry_resumes()
    {
        string data = _directory.File("silo-data");
        // Large enough that the download outlasts a busy machine's scheduling hiccups: with verified
        // blocks written in 1 MiB runs, 96 MiB took well under a second, and a poll starved that long
        // under the full suite missed the whole window.
        byte[] content = TestRandom.Bytes(TestRandom.For(nameof(A_silo_stopped_mid_download_makes_get_exit_3_and_the_retry_resumes)), 256 << 20);
        await File.WriteAllBytesAsync(_directory.File("big.bin"), content);
        string token = Path.Combine(data, "admin.token");
        string hash;
        await using (SiloProcess silo = await SiloProcess.StartAsync(data, cluster: null))
        {
            ToolResult sent = await GranaryAsync("send", "big.bin", "--to", silo.Ticket.ToString(), "--token-file", token);
            Assert.True(sent.ExitCode == 0, sent.Stderr);
            hash = sent.StdoutText.Split(' ')[0];

            // Freeze the client mid-download so the stop lands while its request is in flight.
            using Process get = StartGranary("get", hash, "--from", silo.Ticket.ToString(), "--token-file", token, "-o", "copy.bin");
            Task<string> stdout = get.StandardOutput.ReadToEndAsync();
            Task<string> stderr = get.StandardError.ReadToEndAsync();
            await WaitForPartialAsync(_directory.File("copy.bin.partial"), 8 << 20);
            UnixSignal.Send(get.Id, UnixSignal.Stop);
            try
            {
                Assert.Equal(0, await silo.StopAsync(TimeSpan.FromSeconds(30)));
            }
            finally
            {
                UnixSignal.Send(get.Id, UnixSignal.Continue);
            }

            await get.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            string errors = await stderr;
            Assert.True(get.ExitCode == 3, $"exit {get.ExitCode} (3 = unavailable, retry): {errors}");
            Assert.Equal(string.Empty, await stdout);
            Assert.Matches("shutting down|cannot reach the silo", errors);
            Assert.False(File.Exists(_directory.File("copy.bin")));
        }

        await using (SiloProcess again = await SiloProcess.StartAsync(data, cluster: null))
        {
            ToolResult retry = await GranaryAsync("get", hash, "--from", again.Ticket.ToString(), "--token-file", token, "-o", "copy.bin");
            Assert.True(retry.ExitCode == 0, retry.Stderr);
            Assert.DoesNotContain("warning", retry.Stderr, StringComparison.Ordinal);
            byte[] copy = await File.ReadAllBytesAsync(_directory.File("copy.bin"));
            Assert.True(content.AsSpan().SequenceEqual(copy), "the resumed copy differs");
        }
    }

    [Theory]
    [InlineData("overwrite")]
    [InlineData("truncate")]
    [InlineData("none")]
    public async Task A_resumed_get_checks_the_partial_file_and_refetches_what_was_damaged(string damage)
    {
        string data = _directory.File("silo-data");
        byte[] content = TestRandom.Bytes(TestRandom.For("damaged-partial"), 20_000_000);
        await File.WriteAllBytesAsync(_directory.File("in.bin"), content);
        string token = Path.Combine(data, "admin.token");
        await using SiloProcess silo = await SiloProcess.StartAsync(data, cluster: null);
        ToolResult sent = await GranaryAsync("send", "in.bin", "--to", silo.Ticket.ToString(), "--token-file", token);
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string ticket = sent.StdoutText.Trim().Split(' ')[1];

        // What a download interrupted after its 16 MiB checkpoint leaves (the interruption itself is
        // tested by A_download_killed_at_random_points_resumes_to_the_right_bytes): the verified
        // prefix in out.bin.partial and its record.
        string hash = sent.StdoutText.Split(' ')[0];
        await File.WriteAllBytesAsync(_directory.File("out.bin.partial"), content[..(16 << 20)]);
        await File.WriteAllTextAsync(_directory.File("out.bin.partial.state"), $"{hash} {16 << 20}");
        string partial = _directory.File("out.bin.partial");
        if (damage == "overwrite")
        {
            using var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite);
            file.Position = 5 << 20;
            int value = file.ReadByte();
            file.Position = 5 << 20;
            file.WriteByte((byte)(value ^ 0xFF));
        }
        else if (damage == "truncate")
        {
            using var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite);
            file.SetLength(3 << 20);
        }

        ToolResult resumed = await GranaryAsync("get", ticket, "--token-file", token, "-o", "out.bin");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal($"{hash}  out.bin", resumed.StdoutText.Trim());
        Assert.Equal(damage != "none", resumed.Stderr.Contains("changed on disk", StringComparison.Ordinal));
        byte[] copy = await File.ReadAllBytesAsync(_directory.File("out.bin"));
        Assert.True(content.AsSpan().SequenceEqual(copy), "the resumed file differs from the blob");
        ToolResult b3sum = await ExternalTool.RunAsync(ExternalTool.Require("b3sum", "./build.sh installs it."), ["--no-names", "out.bin"], null, _directory.Path);
        Assert.Equal(hash, b3sum.StdoutText.Trim());
    }
}
