using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// Provider discovery on gossip, with the real executable: two clients seed a blob (one with
/// <c>get --seed</c>, one with <c>serve</c>); <c>get --swarm</c> finds both on the blob's provider
/// topic and downloads from the silo and the seeders together; once the silo deleted the blob it
/// still comes from the seeders. A seeder whose copy rots is caught by verification: with an
/// honest one beside it the download comes out right, and alone it fails with a clear message and
/// writes nothing under the name asked for.
/// </summary>
public sealed partial class ProviderDiscoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Seeders_found_on_the_swarm_serve_with_the_silo_and_without_it_and_a_lying_one_is_caught()
    {
        using var data = new TempDirectory();
        using var work = new TempDirectory();
        await using SiloProcess silo = await SiloProcess.StartAsync(data.Path, cluster: null);
        string[] at = ["--silo", silo.Ticket.ToString(), "--token-file", Path.Combine(data.Path, "admin.token")];
        byte[] content = new byte[24_000_000];
        new Random(15).NextBytes(content);
        string original = Path.Combine(work.Path, "original.bin");
        await File.WriteAllBytesAsync(original, content);
        ToolResult sent = await GranaryAsync(["send", original, .. at]);
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string hash = sent.StdoutText.Split(' ')[0];

        // One downloader keeps seeding what it got; another client shares its own copy.
        await using var first = Seeder.Start(["get", hash, "-o", Path.Combine(work.Path, "seeded.bin"), "--seed", "--seed-data", Path.Combine(work.Path, "seed1"), .. at]);
        await using var second = Seeder.Start(["serve", original, "--seed-data", Path.Combine(work.Path, "seed2"), .. at]);
        await first.WaitSeedingAsync(hash);
        await second.WaitSeedingAsync(hash);

        // With the silo: bytes come from more than one source.
        ToolResult together = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "together.bin"), "--swarm", .. at]);
        output.WriteLine(together.Stderr);
        Assert.True(together.ExitCode == 0, together.Stderr);
        Assert.Contains("2 seeder(s) answered and could be reached", together.Stderr, StringComparison.Ordinal);
        long[] sources = [.. SourceLine().Matches(together.Stderr).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.True(sources.Count(b => b > 0) >= 2, $"bytes came from more than one provider: {string.Join(", ", sources)}");
        Assert.Equal(content.Length, sources.Sum());
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(work.Path, "together.bin")));

        // The silo forgets it: a plain get fails, a swarm get gets it from the seeders.
        Assert.Equal(0, (await GranaryAsync(["rm", hash, .. at])).ExitCode);
        Assert.Equal(1, (await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "plain.bin"), .. at])).ExitCode);
        ToolResult seeded = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "seeded-only.bin"), "--swarm", .. at]);
        Assert.True(seeded.ExitCode == 0, seeded.Stderr);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(work.Path, "seeded-only.bin")));

        // The first seeder's copy rots: the honest second one makes the download right anyway.
        string rotten = Directory.EnumerateFiles(Path.Combine(work.Path, "seed1"), "*.data", SearchOption.AllDirectories).Single();
        await using (FileStream file = File.OpenWrite(rotten))
        {
            for (long offset = 100_000; offset < content.Length; offset += 1_000_000)
            {
                file.Position = offset;
                await file.WriteAsync("rotten bytes here"u8.ToArray());
            }
        }

        ToolResult mixed = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "mixed.bin"), "--swarm", .. at]);
        output.WriteLine(mixed.Stderr);
        Assert.True(mixed.ExitCode == 0, mixed.Stderr);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(work.Path, "mixed.bin")));

        // The liar alone: verification stops it, and nothing is written under the name asked for.
        await second.DisposeAsync();
        ToolResult lied = await GranaryAsync(["get", hash, "-o", Path.Combine(work.Path, "lied.bin"), "--swarm", .. at]);
        Assert.Equal(1, lied.ExitCode);
        Assert.Contains("does not match the blob's hash tree", lied.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work.Path, "lied.bin")));
    }

    [GeneratedRegex(@"granary: (\d+) bytes from ")]
    private static partial Regex SourceLine();

    private static Task<ToolResult> GranaryAsync(string[] arguments) =>
        SiloProcess.CliAsync([.. arguments]);

    /// <summary>A granary process that seeds until killed, its output collected as it comes.</summary>
    private sealed class Seeder : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private bool _disposed;

        private Seeder(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => _lines.Enqueue("out: " + e.Data);
            process.ErrorDataReceived += (_, e) => _lines.Enqueue("err: " + e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public static Seeder Start(string[] arguments)
        {
            return new Seeder(Process.Start(SiloProcess.CliStartInfo(arguments)) ?? throw new InvalidOperationException("could not start granary"));
        }

        /// <summary>Waits for its "seeding HASH …" line (60 s at most).</summary>
        public async Task WaitSeedingAsync(string hash)
        {
            var clock = Stopwatch.StartNew();
            while (!_lines.Any(l => l.StartsWith("out: seeding " + hash, StringComparison.Ordinal)))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && !_process.HasExited, "the seeder did not start: " + string.Join("\n", _lines));
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }

            _process.Dispose();
        }
    }
}
