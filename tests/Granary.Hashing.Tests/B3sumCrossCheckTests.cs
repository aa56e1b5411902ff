using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>Our BLAKE3 against Debian's b3sum (the reference implementation) on real files.</summary>
public sealed class B3sumCrossCheckTests
{
    private static readonly string B3sum = ExternalTool.Require("b3sum", "./build.sh installs it (Debian package b3sum).");

    [Fact]
    public async Task Every_path_agrees_with_b3sum_on_boundary_and_random_sizes()
    {
        var random = TestRandom.For(nameof(Every_path_agrees_with_b3sum_on_boundary_and_random_sizes));
        const int block = 16 * 1024;
        var sizes = new List<long> { 0, 1, 1023, 1024, 1025, block - 1, block, block + 1, 3 * block, (3 * block) - 1, (3 * block) + 1 };
        sizes.AddRange(Enumerable.Range(0, 8).Select(_ => random.NextInt64(0, 300_000)));
        sizes.AddRange([(3L << 20) + 17, (5L << 20) - 1]);
        // On one thread a mapped file is hashed in 64 MiB steps (Blake3FileHashing): one step and a bit more.
        sizes.Add((64L << 20) + 1025);

        using var directory = new TempDirectory();
        var files = new List<(string Path, byte[] Data)>();
        for (int i = 0; i < sizes.Count; i++)
        {
            byte[] data = TestRandom.Bytes(random, sizes[i]);
            string path = directory.File($"f{i}-{sizes[i]}.bin");
            await File.WriteAllBytesAsync(path, data);
            files.Add((path, data));
        }

        ToolResult reference = await ExternalTool.RunAsync(B3sum, ["--no-names", .. files.Select(f => f.Path)]);
        Assert.Equal(0, reference.ExitCode);
        string[] expected = reference.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, expected.Length);

        for (int i = 0; i < files.Count; i++)
        {
            string context = $"{files[i].Data.Length} bytes {TestRandom.Replay}";
            Assert.True(expected[i] == Blake3.Hash(files[i].Data).ToString(), "one-shot, " + context);
            Assert.True(expected[i] == Blake3.HashParallel(files[i].Data, threads: 3).ToString(), "parallel, " + context);
            foreach ((bool mapped, int threads) in new[] { (true, 1), (true, 2), (false, 1) })
            {
                var hasher = new Blake3Hasher();
                await hasher.UpdateFromFileAsync(files[i].Path, threads, allowMapping: mapped);
                Assert.True(expected[i] == hasher.Finalize().ToString(), $"file, mapped={mapped}, threads={threads}, " + context);
            }
        }
    }
}
