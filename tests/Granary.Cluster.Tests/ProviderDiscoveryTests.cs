using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cluster.Tests;

/// <summary>
/// Provider discovery on gossip, with the real executable: a client that downloaded a blob seeds
/// it (<c>get --seed</c>); after the silo deleted it, <c>get --swarm</c> finds the seeder on the
/// blob's provider topic and downloads it from there, verified. A seeder whose copy rots is caught
/// by verification: with an honest silo beside it the download still comes out right, and alone
/// it fails with a clear message and writes nothing in place.
/// </summary>
public sealed class ProviderDiscoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_seeder_found_on_the_swarm_serves_a_blob_the_silo_no_longer_has_and_a_lying_one_is_caught()
    {
        using var data = new TempDirectory();
        using var work = new TempDirectory();
        await using SiloProcess silo = await SiloProcess.StartAsync(data.Path, cluster: null);
        string tokenFile = Path.Combine(data.Path, "admin.token");
        string[] at = ["--silo", silo.Ticket.ToString(), "--token-file", tokenFile];
        byte[] content = new byte[3_000_000];
        new Random(15).NextBytes(content);
        string original = Path.Combine(work.Path, "original.bin");
        await File.WriteAllBytesAsync(original, content);
        ToolResult sent = await GranaryAsync(["send", original, .. at]);
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string hash = sent.StdoutText.Split(' ')[0];

        // A downloader that keeps seeding what it got.
        using Process seeder = StartGranary(["get", hash, "-o", Path.Combine(work.Path, "seeded.bin"), "--seed", "--seed-data", Path.Combine(work.Path, "seed"), .. at]);
        var seederOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
        seeder.OutputDataReceived += (_, e) => seederOutput.Enqueue("out: " + e.Data);
        seeder.ErrorDataReceived += (_, e) => seederOutput.Enqueue("err: " + e.Data);
        seeder.BeginOutputReadLine();
        seeder.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!seederOutput.Any(l => l.StartsWith("out: seeding " + hash, StringComparison.Ordinal)))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && !seeder.HasExited, "the seeder did not start: " + string.Join("\n", seederOutput));
                await Task.Delay(50);
            }

            output.WriteLine("seeding");

            // The silo forgets it: a plain get fails, a swarm get finds the seeder.
            Assert.Equal(0, (await GranaryAsync(["rm", hash, .. at])).ExitCode);
            output.WriteLine("removed");
            ToolResult plain = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "plain.bin"), .. at]);
            Assert.Equal(1, plain.ExitCode);
            ToolResult swarm = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "swarm.bin"), "--swarm", .. at]);
            Assert.True(swarm.ExitCode == 0, swarm.Stderr);
            Assert.Contains("1 seeder(s) answered", swarm.Stderr, StringComparison.Ordinal);
            output.WriteLine("swarm get done");
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(work.Path, "swarm.bin")));

            // The seeder's copy rots. With the silo holding it again, the download is right anyway.
            string rotten = Directory.EnumerateFiles(Path.Combine(work.Path, "seed"), "*.data", SearchOption.AllDirectories).Single();
            await using (FileStream file = File.OpenWrite(rotten))
            {
                foreach (long offset in new long[] { 100_000, 2_000_000 })
                {
                    file.Position = offset;
                    await file.WriteAsync("rotten bytes here"u8.ToArray());
                }
            }

            Assert.Equal(0, (await GranaryAsync(["send", original, .. at])).ExitCode);
            ToolResult mixed = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "mixed.bin"), "--swarm", .. at]);
            Assert.True(mixed.ExitCode == 0, mixed.Stderr);
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(work.Path, "mixed.bin")));

            // The liar alone: verification stops it, and nothing is written under the name asked for.
            Assert.Equal(0, (await GranaryAsync(["rm", hash, .. at])).ExitCode);
            ToolResult lied = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "lied.bin"), "--swarm", .. at]);
            Assert.Equal(1, lied.ExitCode);
            Assert.Contains("does not match the blob's hash tree", lied.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(work.Path, "lied.bin")));
        }
        finally
        {
            seeder.Kill(entireProcessTree: true);
            await seeder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join("\n", seederOutput));
        }
    }

    private static Task<ToolResult> GranaryAsync(string[] arguments) =>
        ExternalTool.RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [SiloProcess.Dll, .. arguments]);

    private static Process StartGranary(string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SiloProcess.Dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start granary");
    }
}
