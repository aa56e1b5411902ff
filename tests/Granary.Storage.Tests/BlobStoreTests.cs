using System.Diagnostics;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;

namespace Granary.Storage.Tests;

/// <summary>The blob store on real files with the io_uring engine.</summary>
public sealed class BlobStoreTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private IFileIo _io = null!;
    private BlobStore _store = null!;

    private BlobStoreOptions Options => new()
    {
        Directory = _directory.Path,
        DefaultTtl = TimeSpan.FromDays(1),
        MaxTtl = TimeSpan.FromDays(10),
        MinTtl = TimeSpan.FromMinutes(1),
        MaxBlobSize = 8 << 20,
    };

    public async Task InitializeAsync()
    {
        _io = FileIo.Create();
        _store = await BlobStore.OpenAsync(Options, _io, time: _clock);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _io.DisposeAsync();
        _directory.Dispose();
    }

    private async Task ReopenAsync()
    {
        await _store.DisposeAsync();
        _store = await BlobStore.OpenAsync(Options, _io, time: _clock);
    }

    private int FilesUnder(string folder) =>
        Directory.Exists(_directory.File(folder)) ? Directory.EnumerateFiles(_directory.File(folder), "*", SearchOption.AllDirectories).Count() : 0;

    private async Task<byte[]> ReadVerifiedAsync(BlobInfo blob)
    {
        using BlobReader reader = await _store.OpenReaderAsync(blob.Hash);
        using var encoding = new MemoryStream();
        await reader.EncodeAsync(ChunkRanges.All, encoding);
        encoding.Position = 0;
        using var data = new MemoryStream();
        await BaoDecoder.DecodeToStreamAsync(encoding, blob.Hash, blob.Size, ChunkRanges.All, data);
        return data.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16383)]
    [InlineData(16385)]
    [InlineData((1 << 20) + 7)]
    public async Task An_import_is_stored_under_its_BLAKE3_hash_and_reads_back_verified(int size)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For($"import {size}"), size);
        BlobInfo blob = await _store.ImportAsync(new MemoryStream(data), declaredSize: size);
        Assert.Equal(Blake3.Hash(data), blob.Hash);
        Assert.Equal(size, blob.Size);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(1), blob.Expires);
        Assert.Equal(data, await ReadVerifiedAsync(blob));
        Assert.Equal(0, FilesUnder("tmp"));
        Assert.Equal(BaoTree.OutboardSize(size), new FileInfo(_store.OutboardPath(blob.Hash)).Length);
    }

    [Theory]
    [InlineData(100, 99, BlobError.TooLittleData)]
    [InlineData(100, 101, BlobError.TooMuchData)]
    [InlineData(9 << 20, 9 << 20, BlobError.TooLarge)]
    public async Task An_upload_that_breaks_its_declared_size_or_the_limit_stores_nothing(int declared, int sent, BlobError error)
    {
        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.ImportAsync(new MemoryStream(new byte[sent]), declared));
        Assert.Equal(error, refused.Error);
        Assert.Equal(0, FilesUnder("tmp") + FilesUnder("blobs"));
        Assert.Equal(BlobError.NotFound, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.InfoAsync(Blake3.Hash(new byte[sent])))).Error);
    }

    [Fact]
    public async Task A_partial_blob_of_zero_bytes_completes_from_its_one_empty_block()
    {
        // A silo-to-silo copy of the empty blob goes through a partial blob like any other.
        Blake3Hash empty = Blake3.Hash([]);
        PartialBlob partial = _store.OpenPartial(empty, 0);
        await BaoDecoder.DecodeAsync(new MemoryStream(await EncodeAllAsync([])), empty, 0, ChunkRanges.All, partial, requireEnd: true);
        await partial.CommitAsync();
        Assert.True(partial.IsComplete);
        BlobInfo stored = await _store.CompletePartialAsync(partial);
        Assert.Equal(0, stored.Size);
        Assert.True(await _store.HasAsync(empty));
    }

    [Fact]
    public async Task A_partial_blob_gathers_blocks_into_large_writes_and_keeps_every_byte()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_partial_blob_gathers_blocks_into_large_writes_and_keeps_every_byte)), (3 << 20) + 12345);
        Blake3Hash hash = Blake3.Hash(data);
        PartialBlob partial = _store.OpenPartial(hash, data.Length);
        await BaoDecoder.DecodeAsync(new MemoryStream(await EncodeAllAsync(data)), hash, data.Length, ChunkRanges.All, partial, requireEnd: true);
        await partial.CommitAsync();
        await _store.CompletePartialAsync(partial);
        using BlobReader reader = await _store.OpenReaderAsync(hash);
        byte[] back = new byte[data.Length];
        await reader.Data.ReadExactlyAtAsync(0, back, "test", CancellationToken.None);
        Assert.Equal(data, back);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("data")]
    [InlineData("outboard")]
    public async Task A_partial_blob_resumed_after_a_restart_is_verified_whole_before_it_is_stored(string damage)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("resumed-partial"), (2 << 20) + 777);
        Blake3Hash hash = Blake3.Hash(data);

        // The first process receives the first half, commits it (fsynced + recorded) and stops.
        PartialBlob first = _store.OpenPartial(hash, data.Length);
        ChunkRanges half = ChunkRanges.Range(0, 64 * BaoTree.ChunksPerBlock);
        await BaoDecoder.DecodeAsync(new MemoryStream(await EncodeAsync(data, half)), hash, data.Length, half, first, requireEnd: true);
        await first.CommitAsync();
        string stem = Path.Combine(Options.Directory, "partial", hash.ToString());
        await ReopenAsync();
        if (damage != "none")
        {
            // Something touches the recorded part while the silo is down.
            using var file = new FileStream(stem + (damage == "data" ? ".data" : ".obao"), FileMode.Open, FileAccess.ReadWrite);
            file.Position = 1000;
            file.WriteByte(0xAA);
        }

        // The resuming process fetches only what the record says is missing.
        PartialBlob resumed = _store.OpenPartial(hash, data.Length);
        Assert.True(resumed.Resumed);
        ChunkRanges rest = ChunkRanges.From(64 * BaoTree.ChunksPerBlock);
        await BaoDecoder.DecodeAsync(new MemoryStream(await EncodeAsync(data, rest)), hash, data.Length, rest, resumed, requireEnd: true);
        await resumed.CommitAsync();
        Assert.True(resumed.IsComplete);
        if (damage == "data")
        {
            // Byte 1000 is in block 0: that block alone is dropped, the other 128 are kept.
            var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.CompletePartialAsync(resumed));
            Assert.Equal(BlobError.HashMismatch, refused.Error);
            Assert.Contains($"{BaoTree.BlockSize} bytes of the partial copy", refused.Message, StringComparison.Ordinal);
            Assert.False(await _store.HasAsync(hash));
            Assert.Null(_store.FindPartial(hash));

            // The next attempt resumes from the record and needs only the dropped block.
            PartialBlob again = _store.OpenPartial(hash, data.Length);
            Assert.True(again.Resumed);
            ChunkRanges missing = ChunkRanges.Range(0, BaoTree.ChunkCount(data.Length)).Difference(again.Present());
            Assert.Equal(ChunkRanges.Range(0, BaoTree.ChunksPerBlock), missing);
            await BaoDecoder.DecodeAsync(new MemoryStream(await EncodeAsync(data, missing)), hash, data.Length, missing, again, requireEnd: true);
            await again.CommitAsync();
            await _store.CompletePartialAsync(again);
        }
        else
        {
            await _store.CompletePartialAsync(resumed);
        }

        using BlobReader reader = await _store.OpenReaderAsync(hash);
        byte[] back = new byte[data.Length];
        await reader.Data.ReadExactlyAtAsync(0, back, "test", CancellationToken.None);
        Assert.Equal(data, back);

        // The stored outboard is whole and right: a full verified encoding from it decodes.
        var served = new MemoryStream();
        await BaoEncoder.EncodeAsync(reader.Data, reader.Outboard, data.Length, ChunkRanges.All, served);
        served.Position = 0;
        await BaoDecoder.DecodeToStreamAsync(served, hash, data.Length, ChunkRanges.All, Stream.Null);
    }

    private static async Task<byte[]> EncodeAsync(byte[] data, ChunkRanges ranges)
    {
        var outboard = new MemoryStream();
        await BaoOutboardBuilder.CreateAsync(new MemoryStream(data), outboard);
        var encoded = new MemoryStream();
        await BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(data), new MemoryRandomAccessStorage(outboard.ToArray()), data.Length, ranges, encoded);
        return encoded.ToArray();
    }

    private static Task<byte[]> EncodeAllAsync(byte[] data) => EncodeAsync(data, ChunkRanges.All);

    [Fact]
    public async Task Deleting_a_blob_this_store_never_had_is_a_plain_false()
    {
        // Its shard directory does not exist either: a cluster-wide delete asks every silo.
        Assert.False(await _store.DeleteAsync(Blake3.Hash([9, 9, 9])));
        (long blobs, long bytes) = await _store.StatsAsync();
        Assert.Equal((0L, 0L), (blobs, bytes));
    }

    [Fact]
    public async Task An_upload_without_a_declared_size_is_still_capped()
    {
        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.ImportAsync(new MemoryStream(new byte[(8 << 20) + 1])));
        Assert.Equal(BlobError.TooLarge, refused.Error);
        Assert.Equal(0, FilesUnder("tmp") + FilesUnder("blobs"));
    }

    [Fact]
    public async Task Data_that_is_not_the_declared_hash_is_refused_and_not_stored()
    {
        byte[] data = [1, 2, 3];
        Blake3Hash other = Blake3.Hash([4, 5, 6]);
        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.ImportAsync(new MemoryStream(data), expectedHash: other));
        Assert.Equal(BlobError.HashMismatch, refused.Error);
        Assert.Contains(Blake3.Hash(data).ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, FilesUnder("tmp") + FilesUnder("blobs"));
    }

    [Fact]
    public async Task TTLs_are_clamped_between_the_minimum_and_the_maximum()
    {
        DateTimeOffset now = _clock.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromMinutes(1), (await _store.ImportAsync(new MemoryStream([1]), ttl: TimeSpan.FromSeconds(1))).Expires);
        Assert.Equal(now + TimeSpan.FromDays(10), (await _store.ImportAsync(new MemoryStream([2]), ttl: TimeSpan.FromDays(400))).Expires);
    }

    [Fact]
    public async Task An_expired_blob_is_refused_at_once_and_swept_from_disk_later()
    {
        BlobInfo blob = await _store.ImportAsync(new MemoryStream([7, 7]), ttl: TimeSpan.FromHours(1));
        BlobInfo keeper = await _store.ImportAsync(new MemoryStream([8]), ttl: TimeSpan.FromDays(2));
        _clock.Advance(TimeSpan.FromHours(1));
        var expired = await Assert.ThrowsAsync<BlobStoreException>(() => _store.OpenReaderAsync(blob.Hash));
        Assert.Equal(BlobError.Expired, expired.Error);
        Assert.Equal(BlobError.Expired, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.ExtendAsync(blob.Hash, TimeSpan.FromDays(1)))).Error);
        Assert.True(File.Exists(_store.DataPath(blob.Hash)));

        Assert.Equal(1, await _store.SweepExpiredAsync());
        Assert.False(File.Exists(_store.DataPath(blob.Hash)));
        Assert.False(File.Exists(_store.OutboardPath(blob.Hash)));
        Assert.Equal(BlobError.NotFound, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.InfoAsync(blob.Hash))).Error);
        Assert.Equal(keeper, await _store.InfoAsync(keeper.Hash));
    }

    [Fact]
    public async Task A_sweep_asks_the_authority_first_and_keeps_what_it_extended_or_could_not_confirm()
    {
        BlobInfo extended = await _store.ImportAsync(new MemoryStream([1, 1]), ttl: TimeSpan.FromHours(1));
        BlobInfo unconfirmed = await _store.ImportAsync(new MemoryStream([2, 2]), ttl: TimeSpan.FromHours(1));
        BlobInfo gone = await _store.ImportAsync(new MemoryStream([3, 3]), ttl: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1));
        DateTimeOffset later = _clock.GetUtcNow() + TimeSpan.FromDays(3);
        var asked = new List<Blake3Hash>();

        int swept = await _store.SweepExpiredAsync((blob, _) =>
        {
            asked.Add(blob.Hash);
            return Task.FromResult<DateTimeOffset?>(blob.Hash == extended.Hash ? later : blob.Hash == unconfirmed.Hash ? null : blob.Expires);
        });

        Assert.Equal(1, swept);
        Assert.Equal(3, asked.Count);
        Assert.True(asked.ToHashSet().SetEquals([extended.Hash, unconfirmed.Hash, gone.Hash]));
        Assert.Equal(later, (await _store.InfoAsync(extended.Hash)).Expires); // adopted, served again
        Assert.True(File.Exists(_store.DataPath(unconfirmed.Hash))); // kept for the next sweep, still not served
        Assert.Equal(BlobError.Expired, (await Assert.ThrowsAsync<BlobStoreException>(() => _store.InfoAsync(unconfirmed.Hash))).Error);
        Assert.False(File.Exists(_store.DataPath(gone.Hash)));
    }

    [Fact]
    public async Task Extending_moves_expiry_forward_and_never_back()
    {
        BlobInfo blob = await _store.ImportAsync(new MemoryStream([1, 2]), ttl: TimeSpan.FromDays(5));
        Assert.Equal(blob.Expires, (await _store.ExtendAsync(blob.Hash, TimeSpan.FromDays(1))).Expires);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(8), (await _store.ExtendAsync(blob.Hash, TimeSpan.FromDays(8))).Expires);
    }

    [Fact]
    public async Task Uploading_the_same_content_again_extends_it_instead_of_storing_twice()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("duplicate"), 50_000);
        BlobInfo first = await _store.ImportAsync(new MemoryStream(data), ttl: TimeSpan.FromHours(2));
        _clock.Advance(TimeSpan.FromHours(1));
        BlobInfo second = await _store.ImportAsync(new MemoryStream(data), ttl: TimeSpan.FromHours(5));
        Assert.Equal(first.Created, second.Created);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(5), second.Expires);
        Assert.Equal(2, FilesUnder("blobs"));
    }

    [Fact]
    public async Task Upload_info_and_tags_are_kept_and_the_first_upload_wins()
    {
        string tags = BlobTags.Format(new Dictionary<string, string> { ["project"] = "apollo", ["owner"] = "ops" });
        BlobInfo first = await _store.ImportAsync(new MemoryStream([5, 6]), uploader: "node-a", tags: tags);
        BlobInfo again = await _store.ImportAsync(new MemoryStream([5, 6]), uploader: "node-b", tags: "");
        Assert.Equal(("node-a", "owner=ops\nproject=apollo"), (again.Uploader, again.Tags));
        await ReopenAsync();
        Assert.Equal(first with { Expires = again.Expires }, await _store.InfoAsync(first.Hash));
        Assert.Throws<ArgumentException>(() => BlobTags.Format([new("a=b", "c")]));
        Assert.Throws<ArgumentException>(() => BlobTags.Format(Enumerable.Range(0, 33).Select(i => new KeyValuePair<string, string>($"k{i}", "v"))));
    }

    [Fact]
    public async Task A_database_from_before_upload_info_gets_the_new_columns()
    {
        using var directory = new TempDirectory();
        string path = directory.File("old.db");
        await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = "CREATE TABLE blobs (hash BLOB PRIMARY KEY, size INTEGER NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL); " +
                $"INSERT INTO blobs VALUES (x'{Blake3.Hash([1]).ToString()}', 1, 0, 9999999999999);";
            await create.ExecuteNonQueryAsync();
        }

        await using SqliteBlobMetadataStore store = await SqliteBlobMetadataStore.OpenAsync(path);
        BlobInfo? migrated = await store.GetAsync(Blake3.Hash([1]));
        Assert.Equal((null, ""), (migrated!.Uploader, migrated.Tags));
    }

    [Fact]
    public async Task Concurrent_uploads_of_the_same_content_make_one_blob()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("concurrent"), 300_000);
        BlobInfo[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.ImportAsync(new MemoryStream(data))));
        Assert.Single(results.Select(r => r.Hash).Distinct());
        Assert.Equal(2, FilesUnder("blobs"));
        Assert.Equal(data, await ReadVerifiedAsync(results[0]));
    }

    [Fact]
    public async Task Concurrent_uploads_are_committed_together_and_each_gets_its_own_row()
    {
        // The metadata rows of concurrent imports are group-committed: each caller must still get
        // its own row back, a repeat of one blob in the same batch must extend it, and all must survive a reopen.
        byte[][] blobs = [.. Enumerable.Range(0, 48).Select(i => TestRandom.Bytes(TestRandom.For($"batched {i}"), 100 + (i * 37)))];
        BlobInfo[] results = await Task.WhenAll(blobs.Select((data, i) => _store.ImportAsync(new MemoryStream(data), ttl: TimeSpan.FromHours(1 + i), uploader: $"u{i}", tags: $"t={i}")));
        BlobInfo[] again = await Task.WhenAll(blobs.Take(8).Select(data => _store.ImportAsync(new MemoryStream(data), ttl: TimeSpan.FromDays(3))));
        for (int i = 0; i < blobs.Length; i++)
        {
            Assert.Equal((Blake3.Hash(blobs[i]), (long)blobs[i].Length, $"u{i}", $"t={i}"), (results[i].Hash, results[i].Size, results[i].Uploader, results[i].Tags));
        }

        Assert.All(results, (row, i) => Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1 + i), row.Expires));
        Assert.All(again, row => Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(3), row.Expires));
        await ReopenAsync();
        for (int i = 0; i < blobs.Length; i++)
        {
            BlobInfo stored = await _store.InfoAsync(Blake3.Hash(blobs[i]));
            Assert.Equal(i < 8 ? again[i].Expires : results[i].Expires, stored.Expires);
            Assert.Equal(blobs[i], await ReadVerifiedAsync(stored));
        }
    }

    [Fact]
    public async Task Reopening_keeps_blobs_and_removes_what_no_acknowledged_upload_left()
    {
        BlobInfo kept = await _store.ImportAsync(new MemoryStream([1, 2, 3]));
        Directory.CreateDirectory(_directory.File("tmp"));
        File.WriteAllBytes(_directory.File("tmp/half-written.data"), new byte[100]);
        Blake3Hash stray = Blake3.Hash([9]);
        Directory.CreateDirectory(Path.GetDirectoryName(_store.DataPath(stray))!);
        File.WriteAllBytes(_store.DataPath(stray), [9]);

        await ReopenAsync();
        Assert.Equal(kept, await _store.InfoAsync(kept.Hash));
        Assert.Equal(0, FilesUnder("tmp"));
        Assert.False(File.Exists(_store.DataPath(stray)));
    }

    [Fact]
    public async Task A_process_killed_mid_write_leaves_only_complete_blobs_and_every_acknowledged_one()
    {
        string helper = Path.Combine(AppContext.BaseDirectory, "Granary.Storage.CrashHelper.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var random = TestRandom.For(nameof(A_process_killed_mid_write_leaves_only_complete_blobs_and_every_acknowledged_one));
        int killedMidWrite = 0;
        // At least 4 rounds, and more (up to 16) until one kill lands inside an upload: a kill's timing
        // depends on the machine's load, and a run whose kills all fall between uploads proves nothing.
        for (int round = 0; round < 16 && (round < 4 || killedMidWrite == 0); round++)
        {
            using var directory = new TempDirectory();
            var acknowledged = new List<Blake3Hash>();
            var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { helper, directory.Path, random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "50", (3 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            using (var process = Process.Start(start)!)
            {
                Assert.Equal("open", await process.StandardOutput.ReadLineAsync());
                int acknowledgementsBeforeKill = random.Next(1, 8);
                while (acknowledged.Count < acknowledgementsBeforeKill && await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    acknowledged.Add(Blake3Hash.Parse(line["ack ".Length..]));
                }

                await Task.Delay(random.Next(0, 15));
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                while (await process.StandardOutput.ReadLineAsync() is { } late)
                {
                    acknowledged.Add(Blake3Hash.Parse(late["ack ".Length..]));
                }
            }

            string temporary = Path.Combine(directory.Path, "tmp");
            killedMidWrite += Directory.Exists(temporary) && Directory.EnumerateFiles(temporary).Any() ? 1 : 0;
            await using IFileIo io = FileIo.Create();
            await using BlobStore store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = directory.Path }, io);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(directory.Path, "tmp")));
            foreach (Blake3Hash hash in acknowledged)
            {
                BlobInfo info = await store.InfoAsync(hash);
                using BlobReader reader = await store.OpenReaderAsync(hash);
                using var encoding = new MemoryStream();
                await reader.EncodeAsync(ChunkRanges.All, encoding);
                encoding.Position = 0;
                await BaoDecoder.DecodeToStreamAsync(encoding, hash, info.Size, ChunkRanges.All, Stream.Null);
            }

            // Whatever else survived must be whole too: every file on disk belongs to a verifying blob.
            foreach (string data in Directory.EnumerateFiles(Path.Combine(directory.Path, "blobs"), "*.data", SearchOption.AllDirectories))
            {
                Blake3Hash hash = Blake3Hash.Parse(Path.GetFileNameWithoutExtension(data));
                Assert.Equal(hash, Blake3.Hash(await File.ReadAllBytesAsync(data)));
                Assert.Equal(3 << 20, (await store.InfoAsync(hash)).Size);
            }
        }

        // The kill must really land inside uploads, or this test proves nothing.
        Assert.True(killedMidWrite > 0, $"no round killed the helper in the middle of an upload {TestRandom.Replay}");
    }
}
