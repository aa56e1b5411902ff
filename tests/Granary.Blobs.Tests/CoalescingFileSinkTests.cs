using Granary.Blobs.Client;
using Granary.Hashing.Verified;
using Granary.Testing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Tests;

/// <summary>
/// The download sink that writes verified blocks in runs: every byte lands at its offset, a run is
/// reported only once written, and gaps (blocks kept from an earlier attempt) split runs.
/// </summary>
public sealed class CoalescingFileSinkTests : IDisposable
{
    private const int Block = BaoTree.BlockSize;
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Runs_end_at_1_MiB_at_gaps_and_at_the_flush_and_each_is_written_before_it_is_reported()
    {
        // 150 blocks and a short last one; blocks 70..79 are missing (kept from an earlier attempt).
        long size = (150L * Block) + 1000;
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Runs_end_at_1_MiB_at_gaps_and_at_the_flush_and_each_is_written_before_it_is_reported)), size);
        string path = _files.File("target.bin");
        using SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        var reported = new List<(long From, long To)>();
        using var sink = new CoalescingFileSink(file, (from, to, _) =>
        {
            // Reported runs are on disk already: read them back through another handle.
            byte[] onDisk = new byte[to - from];
            using (var check = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                check.Position = from;
                check.ReadExactly(onDisk);
            }

            Assert.Equal(data.AsSpan((int)from, (int)(to - from)).ToArray(), onDisk);
            reported.Add((from, to));
            return Task.CompletedTask;
        });

        for (long block = 0; block <= 150; block++)
        {
            if (block is >= 70 and < 80)
            {
                continue;
            }

            int length = BaoTree.BlockLength(size, block);
            await sink.OnBlockAsync(block, data.AsMemory((int)(block * Block), length), CancellationToken.None);
        }

        // Runs: blocks 0-63 (full), 64-69 (ended by the gap), 80-143 (full); 144-150 wait for the flush.
        Assert.Equal((80L * Block, 144L * Block), reported[^1]);
        await sink.FlushAsync(CancellationToken.None);
        Assert.Equal(
            [(0L, 64L * Block), (64L * Block, 70L * Block), (80L * Block, 144L * Block), (144L * Block, size)],
            reported);
        byte[] written = await File.ReadAllBytesAsync(path);
        Assert.Equal(size, written.Length);
        Assert.Equal(data.AsSpan(0, 70 * Block).ToArray(), written.AsSpan(0, 70 * Block).ToArray());
        Assert.Equal(data.AsSpan(80 * Block).ToArray(), written.AsSpan(80 * Block).ToArray());
        Assert.All(written.AsSpan(70 * Block, 10 * Block).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task A_run_whose_report_stops_the_download_leaves_nothing_buffered()
    {
        string path = _files.File("stopped.bin");
        using SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        using var stop = new CancellationTokenSource();
        long reportedTo = 0;
        using var sink = new CoalescingFileSink(file, (_, to, _) =>
        {
            reportedTo = to;
            stop.Cancel();
            return Task.CompletedTask;
        });
        byte[] block = new byte[Block];
        for (long i = 0; i < 64; i++)
        {
            await sink.OnBlockAsync(i, block, stop.Token);
        }

        // The 64th block filled the run: written and reported at once, so a stop there loses nothing.
        Assert.Equal(1L << 20, reportedTo);
        Assert.Equal(1L << 20, new FileInfo(path).Length);
        await sink.FlushAsync(CancellationToken.None);
        Assert.Equal(1L << 20, reportedTo);
    }
}
