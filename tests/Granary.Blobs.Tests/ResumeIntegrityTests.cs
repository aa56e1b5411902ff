using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>
/// A resumed download never trusts what is already in PATH.partial: bytes changed, truncated or
/// over-claimed since the last checkpoint are found by re-verification and fetched again, through
/// every resume path (single silo, multi-provider downloader, Get-Blob's command class).
/// </summary>
public sealed class ResumeIntegrityTests : IAsyncLifetime
{
    // 20 MB, as in the report: 1221 blocks; the first 16 MiB are the root's left subtree.
    private const int Size = 20_000_000;
    private static readonly byte[] Data = TestRandom.Bytes(TestRandom.For(nameof(ResumeIntegrityTests)), Size);
    private readonly TempDirectory _files = new();
    private TestSilo _silo = null!;
    private BlobClient _client = null!;
    private BlobClient _second = null!;
    private Blake3Hash _hash;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _client = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        _second = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        _hash = (await _client.PutAsync(new MemoryStream(Data), Size)).Hash;
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
        _files.Dispose();
    }

    public enum Damage
    {
        None,
        FlipByteEarly,
        FlipByteJustBeforeRecordedEnd,
        TruncateBelowRecord,
        TruncateToNothing,
        RecordClaimsMoreThanWritten,
        ZeroedRange,
    }

    /// <summary>
    /// Downloads until <paramref name="stopAt"/> verified bytes are written (default: 16 MiB, two
    /// 8 MiB checkpoints), then stops as Ctrl-C would; returns the path. Progress is reported after
    /// each written run of 1 MiB (<c>CoalescingFileSink</c>), with nothing buffered behind it, so
    /// the cancellation it triggers stops the download exactly there.
    /// </summary>
    private async Task<string> InterruptedDownloadAsync(string name, long stopAt = 16L << 20)
    {
        string path = _files.File(name);
        using var stop = new CancellationTokenSource();
        var progress = new InlineProgress<(long Done, long Total)>(p =>
        {
            if (p.Done >= stopAt)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BlobDownload.ToFileAsync(_client, _hash, path, progress, cancellationToken: stop.Token));
        return path;
    }

    [Fact]
    public async Task A_stopped_download_records_everything_verified_so_far_not_only_the_last_checkpoint()
    {
        // 17 MiB is 1 MiB past the last 8 MiB checkpoint: before the stop saved its prefix, a resume kept 16.
        string path = await InterruptedDownloadAsync("stopped-between-checkpoints.bin", 17L << 20);
        Assert.Equal(17L << 20, Recorded(path));

        FileDownloadResult result = await BlobDownload.ToFileAsync(_client, _hash, path);
        Assert.Equal(Data, await File.ReadAllBytesAsync(path));
        Assert.Equal((17L << 20, 0L), (result.Resumed, result.Discarded));
    }

    /// <summary>What the record claimed, in whole blocks short of the last (the part a resume checks).</summary>
    private static long Claimed(Damage damage) =>
        damage == Damage.RecordClaimsMoreThanWritten ? (Size / BaoTree.BlockSize) * BaoTree.BlockSize : 16L << 20;

    private long Recorded(string path) => new DownloadCheckpoint(path, _hash).ReadRecordedLength(out _);

    /// <summary>The recorded prefix while a download is still writing it (0 if it cannot be read at this moment).</summary>
    private long RecordedSoFar(string path)
    {
        try
        {
            return Recorded(path);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Damages the partial file; returns the recorded bytes a resume must discard: the 1 MiB
    /// (64-block) subtree around a damaged byte, or everything the file no longer holds.
    /// </summary>
    private static long Apply(Damage damage, string path)
    {
        string partial = path + ".partial";
        switch (damage)
        {
            case Damage.FlipByteEarly:
                Flip(partial, 1_000_000);
                return 1 << 20;
            case Damage.FlipByteJustBeforeRecordedEnd:
                Flip(partial, (16 << 20) - 1);
                return 1 << 20;
            case Damage.TruncateBelowRecord:
                using (var file = new FileStream(partial, FileMode.Open))
                {
                    file.SetLength(10 << 20);
                }

                return 6 << 20;
            case Damage.TruncateToNothing:
                File.WriteAllBytes(partial, []);
                return 16 << 20;
            case Damage.RecordClaimsMoreThanWritten:
                // A record from a hypothetical bug or a torn write: it claims the whole blob. What
                // was written past the old record is genuine (verified blocks), the rest is missing.
                File.WriteAllText(partial + ".state", File.ReadAllText(partial + ".state").Split(' ')[0] + " " + Size);
                return Claimed(damage) - new FileInfo(partial).Length;
            case Damage.ZeroedRange:
                using (var file = new FileStream(partial, FileMode.Open, FileAccess.Write))
                {
                    file.Position = 12 << 20;
                    file.Write(new byte[4096]);
                }

                return 1 << 20;
            default:
                return 0;
        }
    }

    private static void Flip(string file, long offset)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    [Theory]
    [InlineData(Damage.None)]
    [InlineData(Damage.FlipByteEarly)]
    [InlineData(Damage.FlipByteJustBeforeRecordedEnd)]
    [InlineData(Damage.TruncateBelowRecord)]
    [InlineData(Damage.TruncateToNothing)]
    [InlineData(Damage.RecordClaimsMoreThanWritten)]
    [InlineData(Damage.ZeroedRange)]
    public async Task A_resumed_download_keeps_only_what_still_verifies(Damage damage)
    {
        string path = await InterruptedDownloadAsync($"single-{damage}.bin");
        Assert.Equal(16L << 20, Recorded(path));
        long discarded = Apply(damage, path);

        FileDownloadResult result = await BlobDownload.ToFileAsync(_client, _hash, path);

        Assert.Equal(Data, await File.ReadAllBytesAsync(path));
        Assert.Equal(Size, result.Resumed + result.Fetched);
        Assert.Equal(discarded, result.Discarded);
        if (damage == Damage.None)
        {
            Assert.Equal((16L << 20, 0L), (result.Resumed, result.Discarded));
        }
        else
        {
            Assert.True(result.Discarded > 0, $"{damage}: the damage went unreported");
            Assert.Equal(Claimed(damage), result.Resumed + result.Discarded);
        }

        Assert.False(File.Exists(path + ".partial"));
        Assert.False(File.Exists(path + ".partial.state"));
    }

    [Theory]
    [InlineData(Damage.None)]
    [InlineData(Damage.FlipByteEarly)]
    [InlineData(Damage.TruncateBelowRecord)]
    [InlineData(Damage.RecordClaimsMoreThanWritten)]
    public async Task The_multi_provider_downloader_resumes_with_the_same_check(Damage damage)
    {
        string path = await InterruptedDownloadAsync($"split-{damage}.bin");
        long discarded = Apply(damage, path);

        DownloadReport report = await new Downloader([_client, _second]).DownloadAsync(_hash, path);

        Assert.Equal(Data, await File.ReadAllBytesAsync(path));
        Assert.Equal(discarded, report.Discarded);
        Assert.Equal(damage == Damage.None ? 0 : Claimed(damage) - report.Resumed, report.Discarded);
        Assert.Equal(Size - report.Resumed, report.BytesByProvider.Values.Sum());
    }

    [Fact]
    public async Task An_interrupted_multi_provider_download_records_its_verified_prefix_and_resumes()
    {
        string path = _files.File("split-interrupted.bin");
        using (var stop = new CancellationTokenSource())
        {
            // Stop once a verified prefix of 4 MiB is on record, not after a byte count: with two providers
            // the prefix waits for whichever fetches the start, and a loaded machine can starve either.
            var progress = new InlineProgress<long>(done =>
            {
                if (done >= 6 << 20 && (RecordedSoFar(path) >= 4 << 20 || done >= Size - (2 << 20)))
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => new Downloader([_client, _second]) { CheckpointBytes = 1 << 20 }.DownloadAsync(_hash, path, SplitStrategy.Split, progress, cancellationToken: stop.Token));
        }

        long recorded = Recorded(path);
        Assert.True(recorded >= 4 << 20, $"only {recorded} bytes were recorded before the stop");
        Flip(path + ".partial", recorded - 10);

        FileDownloadResult result = await BlobDownload.ToFileAsync(_client, _hash, path);
        Assert.Equal(Data, await File.ReadAllBytesAsync(path));
        Assert.True(result.Discarded > 0);
    }

    [Fact]
    public async Task Get_blob_warns_about_a_changed_partial_file_and_still_writes_the_verified_blob()
    {
        string path = await InterruptedDownloadAsync("command.bin");
        Flip(path + ".partial", 3_000_000);
        var host = new RecordingHost();
        await using var session = await GranarySession.ConnectAsync([_silo.Ticket.ToString()], TestSilo.Token, host);

        await new GetBlobCommand { Blobs = [_hash.ToString()], Destination = path }.RunAsync(session, host);

        Assert.Equal(Data, await File.ReadAllBytesAsync(path));
        Assert.Empty(host.Errors);
        string warning = Assert.Single(host.Warnings);
        Assert.Contains("changed on disk", warning, StringComparison.Ordinal);
        Assert.IsType<DownloadedBlob>(Assert.Single(host.Outputs));
    }
}
