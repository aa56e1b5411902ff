using System.Diagnostics;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Storage.Scrub;
using Granary.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Storage.Tests;

/// <summary>The scrubber on a real store: rot in data or outboard is found, quarantined and refused; sound blobs pass; the pace holds.</summary>
public sealed class BlobScrubberTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private IFileIo _io = null!;
    private BlobStore _store = null!;

    public async Task InitializeAsync()
    {
        _io = FileIo.Create();
        _store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = _directory.Path }, _io);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _io.DisposeAsync();
        _directory.Dispose();
    }

    private async Task<(BlobInfo Blob, byte[] Bytes)> StoreAsync(int size, int seed)
    {
        byte[] bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return (await _store.ImportAsync(new MemoryStream(bytes)), bytes);
    }

    private string FileOf(BlobInfo blob, string extension) => Path.Combine(_directory.Path, "blobs", blob.Hash.ToString()[..2], blob.Hash + extension);

    private static void Flip(string file, long offset)
    {
        using FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x01));
    }

    private BlobScrubber Scrubber(long bytesPerSecond = 0) =>
        new(_store, new ScrubOptions { BytesPerSecond = bytesPerSecond }, NullLogger.Instance);

    [Fact]
    public async Task Sound_blobs_pass_and_are_marked_verified()
    {
        var (a, _) = await StoreAsync(3 << 20, 1);
        var (b, _) = await StoreAsync(1000, 2);
        var (empty, _) = await StoreAsync(0, 3);
        using BlobScrubber scrubber = Scrubber();

        ScrubReport report = await scrubber.ScrubAllAsync(CancellationToken.None);

        Assert.Equal(3, report.Checked);
        Assert.Equal(a.Size + b.Size + empty.Size, report.Bytes);
        Assert.Empty(report.Damaged);
        // Verified now: nothing is due again before an interval has passed.
        Assert.Empty(await _store.DueForScrubAsync(DateTimeOffset.UtcNow.AddMinutes(-1), 10));
        Assert.Equal(3, (await _store.DueForScrubAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10)).Count);
    }

    [Fact]
    public async Task A_flipped_data_byte_is_quarantined_and_refused_with_a_clear_error_until_stored_again()
    {
        var (blob, bytes) = await StoreAsync(2 << 20, 4);
        var (other, _) = await StoreAsync(100_000, 5);
        Flip(FileOf(blob, ".data"), 1_234_567);
        using BlobScrubber scrubber = Scrubber();

        ScrubReport report = await scrubber.ScrubAllAsync(CancellationToken.None);

        BlobDamage damage = Assert.Single(report.Damaged);
        Assert.Equal(blob.Hash, damage.Hash);
        Assert.Contains("its data hashes to", damage.Reason, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.OpenReaderAsync(blob.Hash));
        Assert.Equal(BlobError.Damaged, refused.Error);
        Assert.Contains("failed verification", refused.Message, StringComparison.Ordinal);
        Assert.Contains("quarantined", refused.Message, StringComparison.Ordinal);
        Assert.False(await _store.HasAsync(blob.Hash));
        Assert.DoesNotContain(blob.Hash, await _store.HashesAsync());
        Assert.Equal((1, other.Size), await _store.StatsAsync());
        Assert.True(File.Exists(Path.Combine(_directory.Path, "quarantine", blob.Hash + ".data")));
        Assert.False(File.Exists(FileOf(blob, ".data")));
        Assert.Equal(other.Size, (await _store.InfoAsync(other.Hash)).Size);

        // Storing it again (an upload, a repair) clears the mark.
        await _store.ImportAsync(new MemoryStream(bytes));
        Assert.Null(await _store.DamageAsync(blob.Hash));
        Assert.Equal(blob.Size, (await _store.InfoAsync(blob.Hash)).Size);
        Assert.Empty((await scrubber.ScrubAllAsync(CancellationToken.None)).Damaged);
    }

    [Theory]
    [InlineData(".obao", 10L, "outboard")]
    [InlineData(".obao", -1L, "outboard")]
    [InlineData(".data", -1L, "bytes, not")]
    public async Task Rot_in_the_outboard_or_a_truncated_file_is_found(string extension, long offset, string expected)
    {
        var (blob, _) = await StoreAsync(1 << 20, 6);
        string file = FileOf(blob, extension);
        if (offset < 0)
        {
            using FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite);
            stream.SetLength(stream.Length - 1);
        }
        else
        {
            Flip(file, offset);
        }

        using BlobScrubber scrubber = Scrubber();
        BlobDamage damage = Assert.Single((await scrubber.ScrubAllAsync(CancellationToken.None)).Damaged);
        Assert.Contains(expected, damage.Reason, StringComparison.Ordinal);
        Assert.Equal(BlobError.Damaged, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.InfoAsync(blob.Hash))).Error);
    }

    [Fact]
    public async Task A_deleted_damaged_blob_is_simply_gone()
    {
        var (blob, _) = await StoreAsync(50_000, 7);
        Flip(FileOf(blob, ".data"), 10);
        using BlobScrubber scrubber = Scrubber();
        Assert.Single((await scrubber.ScrubAllAsync(CancellationToken.None)).Damaged);

        Assert.True(await _store.DeleteAsync(blob.Hash));
        Assert.Equal(BlobError.NotFound, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.InfoAsync(blob.Hash))).Error);
    }

    [Fact]
    public async Task The_background_scrub_keeps_its_pace_and_finds_rot_it_was_not_asked_about()
    {
        var (blob, _) = await StoreAsync(2 << 20, 8);
        Flip(FileOf(blob, ".data"), 2_000_000);
        using var scrubber = new BlobScrubber(
            _store, new ScrubOptions { BytesPerSecond = 1 << 20, Interval = TimeSpan.FromSeconds(1), IdleWait = TimeSpan.FromMilliseconds(50) }, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        Task running = scrubber.RunAsync(stop.Token);

        while (await _store.DamageAsync(blob.Hash) is null)
        {
            Assert.False(stop.IsCancellationRequested, "the background scrub did not find the flipped byte within 60 s");
            await Task.Delay(50);
        }

        // 2 MiB at 1 MiB/s with a 256 KiB bucket: not before ~1.75 s (a pace that does not hold would take milliseconds).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"scrubbed 2 MiB in {clock.Elapsed.TotalSeconds:0.00} s at a pace of 1 MiB/s");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task A_file_that_cannot_be_opened_or_a_lost_shard_is_damage_and_the_other_blobs_are_still_checked()
    {
        var blobs = new List<BlobInfo>();
        for (int seed = 10; blobs.Select(b => b.Hash.ToString()[..2]).Distinct().Count() < 3; seed++)
        {
            BlobInfo next = (await StoreAsync(20_000, seed)).Blob;
            if (blobs.All(b => b.Hash.ToString()[..2] != next.Hash.ToString()[..2]))
            {
                blobs.Add(next);
            }
        }

        // A directory where the data file was (what root meets where a non-root silo meets a file it may not read).
        File.Delete(FileOf(blobs[0], ".data"));
        Directory.CreateDirectory(FileOf(blobs[0], ".data"));
        // A whole shard directory gone.
        Directory.Move(Path.GetDirectoryName(FileOf(blobs[1], ".data"))!, Path.Combine(_directory.Path, "moved-away"));
        using BlobScrubber scrubber = Scrubber();

        ScrubReport report = await scrubber.ScrubAllAsync(CancellationToken.None);

        Assert.Equal(3, report.Checked);
        Assert.Equal(new HashSet<Blake3Hash> { blobs[0].Hash, blobs[1].Hash }, report.Damaged.Select(d => d.Hash).ToHashSet());
        Assert.Contains("cannot be opened", report.Damaged.Single(d => d.Hash == blobs[0].Hash).Reason, StringComparison.Ordinal);
        Assert.Contains("missing", report.Damaged.Single(d => d.Hash == blobs[1].Hash).Reason, StringComparison.Ordinal);
        Assert.Equal(blobs[2].Size, (await _store.InfoAsync(blobs[2].Hash)).Size);

        // Found earlier and not stored again: the next pass still reports them.
        ScrubReport again = await scrubber.ScrubAllAsync(CancellationToken.None);
        Assert.Empty(again.Damaged);
        Assert.Equal(2, again.StillDamaged.Count);
    }

    [Fact]
    public async Task A_data_file_that_never_ends_is_judged_after_one_byte_too_many()
    {
        var (blob, _) = await StoreAsync(50_000, 20);
        File.Delete(FileOf(blob, ".data"));
        File.CreateSymbolicLink(FileOf(blob, ".data"), "/dev/zero");
        using BlobScrubber scrubber = Scrubber();

        ScrubReport report = await scrubber.ScrubAllAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("longer than 50000 bytes", Assert.Single(report.Damaged).Reason, StringComparison.Ordinal);
        Assert.Equal(50_001, report.Bytes);
    }

    [Fact]
    public async Task Callers_who_come_while_a_pass_runs_share_it()
    {
        await StoreAsync(8 << 20, 21);
        using BlobScrubber scrubber = Scrubber();

        Task<ScrubReport> first = scrubber.ScrubAllAsync(CancellationToken.None);
        Task<ScrubReport> second = scrubber.ScrubAllAsync(CancellationToken.None);

        Assert.Same(await first, await second);
        Assert.NotSame(await first, await scrubber.ScrubAllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_background_scrub_goes_on_past_a_blob_it_cannot_open()
    {
        var (blocked, _) = await StoreAsync(10_000, 22);
        File.Delete(FileOf(blocked, ".data"));
        Directory.CreateDirectory(FileOf(blocked, ".data"));
        var (sound, _) = await StoreAsync(10_000, 23);
        using var scrubber = new BlobScrubber(
            _store, new ScrubOptions { BytesPerSecond = 64 << 20, Interval = TimeSpan.FromSeconds(1), IdleWait = TimeSpan.FromMilliseconds(50) }, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task running = scrubber.RunAsync(stop.Token);

        while (await _store.DamageAsync(blocked.Hash) is null)
        {
            Assert.False(stop.IsCancellationRequested, "the background scrub did not judge the blob it cannot open within 60 s");
            await Task.Delay(50);
        }

        // Still going: rot in the other blob is found afterwards.
        Flip(FileOf(sound, ".data"), 5000);
        while (await _store.DamageAsync(sound.Hash) is null)
        {
            Assert.False(stop.IsCancellationRequested, "the background scrub stopped after the blob it cannot open");
            await Task.Delay(50);
        }

        Assert.False(running.IsCompleted, "the background scrub stopped");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(1000L)]
    public void A_pace_between_off_and_64_KiB_per_second_is_refused(long pace)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ScrubOptions { BytesPerSecond = pace }.Validate());
        Assert.Contains("--scrub-rate", error.Message, StringComparison.Ordinal);
    }
}
