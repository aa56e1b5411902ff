using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Blobs.Tests;

/// <summary>
/// The download orchestrator over two real silos: what is a collection (decided from verified
/// data, once), a collection from one provider and from two, a range into memory, and a file split
/// across providers that survives a corrupt and an unreachable one.
/// </summary>
public sealed class BlobFetcherTests : IAsyncLifetime
{
    private static readonly byte[] Header = "granary-collection/1\n"u8.ToArray();

    private readonly TempDirectory _directory = new();
    private readonly List<TestSilo> _silos = [];
    private BlobClient _client = null!;

    public async Task InitializeAsync()
    {
        _silos.Add(await TestSilo.StartAsync());
        _silos.Add(await TestSilo.StartAsync());
        _client = await BlobClient.ConnectAsync(_silos[0].Ticket, TestSilo.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        foreach (TestSilo silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _directory.Dispose();
    }

    private static Task<BlobClient> Connect(SiloTicket silo, CancellationToken cancellationToken) => BlobClient.ConnectAsync(silo, TestSilo.Token, cancellationToken);

    private BlobFetcher Fetcher(params TestSilo[] extra) => new(_client, Connect) { ExtraProviders = [.. extra.Select(s => s.Ticket)] };

    /// <summary>Stores <paramref name="data"/> on every silo given (the asked one by default).</summary>
    private async Task<Blake3Hash> PutAsync(byte[] data, params TestSilo[] silos)
    {
        Blake3Hash hash = default;
        foreach (TestSilo silo in silos.Length == 0 ? [_silos[0]] : silos)
        {
            await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token);
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        }

        return hash;
    }

    /// <summary>
    /// A blob whose first bytes are the collection header but whose body does not decode is not a
    /// collection: it is written as the file it is (its bytes are verified like any blob's), with
    /// a warning, because a damaged or hostile "collection" must never become a tree. Both sizes:
    /// one block (decided from the first block alone) and several (the whole blob is read to decide).
    /// </summary>
    [Theory]
    [InlineData(100)]
    [InlineData(100_000)]
    public async Task A_blob_that_only_starts_like_a_collection_is_written_as_a_file(int bodyLength)
    {
        byte[] data = [.. Header, .. TestRandom.Bytes(TestRandom.For($"not a collection {bodyLength}"), bodyLength)];
        Blake3Hash hash = await PutAsync(data);

        await using FetchPlan plan = await Fetcher().PlanAsync(hash);
        Assert.False(plan.IsCollection);
        Assert.Null(plan.Collection);
        Assert.Equal(data.Length, plan.TotalBytes);

        string path = _directory.File($"looks-like-{bodyLength}");
        FetchResult result = await plan.DownloadAsync(path);
        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.False(result.IsCollection);
        Assert.Contains(result.Warnings, w => w.Contains("starts like a collection but is not one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_collection_with_an_unsafe_path_is_a_file_and_writes_nothing_outside()
    {
        byte[] hostile = [.. Header, .. Bencode.Encode(new List<object> { new List<object> { "../escape"u8.ToArray(), Blake3.Hash([1]).ToArray(), 1L } })];
        Blake3Hash hash = await PutAsync(hostile);
        string inside = _directory.File("inside");
        Directory.CreateDirectory(inside);

        await using FetchPlan plan = await Fetcher().PlanAsync(hash);
        FetchResult result = await plan.DownloadAsync(Path.Combine(inside, "victim"));
        Assert.False(result.IsCollection);
        Assert.Equal(hostile, await File.ReadAllBytesAsync(Path.Combine(inside, "victim")));
        Assert.Contains(result.Warnings, w => w.Contains("not a safe relative path", StringComparison.Ordinal));
        Assert.False(File.Exists(_directory.File("escape")));
    }

    [Fact]
    public async Task A_plain_blob_and_an_empty_one_are_files_without_warnings()
    {
        foreach (byte[] data in new byte[][] { TestRandom.Bytes(TestRandom.For("plain"), 50_000), [] })
        {
            Blake3Hash hash = await PutAsync(data);
            await using FetchPlan plan = await Fetcher().PlanAsync(hash);
            string path = _directory.File($"plain-{data.Length}");
            FetchResult result = await plan.DownloadAsync(path);
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
            Assert.Equal((hash, (long)data.Length, false), (result.Hash, result.Size, result.IsCollection));
            Assert.Empty(result.Warnings);
            Assert.Equal([_silos[0].Ticket], result.Providers);
        }
    }

    /// <summary>
    /// A collection becomes a directory, from one provider (one request) and from two (split file
    /// by file). Its body spans several blocks (many entries), so deciding read the whole of it.
    /// </summary>
    [Fact]
    public async Task A_collection_becomes_a_directory_from_one_provider_and_from_two()
    {
        string tree = _directory.File("tree");
        Directory.CreateDirectory(Path.Combine(tree, "many"));
        var random = TestRandom.For(nameof(A_collection_becomes_a_directory_from_one_provider_and_from_two));
        await File.WriteAllBytesAsync(Path.Combine(tree, "big.bin"), TestRandom.Bytes(random, 3 << 20));
        for (int i = 0; i < 400; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(tree, "many", $"file-with-a-longish-name-{i:D4}.txt"), TestRandom.Bytes(random, i));
        }

        Blake3Hash collection = default;
        foreach (TestSilo silo in _silos)
        {
            await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token);
            DirectoryUpload upload = await client.PutDirectoryAsync(tree);
            Assert.True(upload.Collection.Size > BaoTree.BlockSize, "the collection should span several blocks");
            collection = upload.Collection.Hash;
        }

        foreach (TestSilo[] extra in new[] { Array.Empty<TestSilo>(), [_silos[1]] })
        {
            await using FetchPlan plan = await Fetcher(extra).PlanAsync(collection);
            Assert.True(plan.IsCollection);
            Assert.Equal(401, plan.Collection!.Entries.Count);
            Assert.Equal((3 << 20) + Enumerable.Range(0, 400).Sum(), plan.TotalBytes);
            Assert.Equal(1 + extra.Length, plan.Providers.Count);

            string copy = _directory.File($"copy-{extra.Length}");
            var reported = new System.Collections.Concurrent.ConcurrentBag<long>();
            FetchResult result = await plan.DownloadAsync(copy, progress: new InlineProgress<long>(reported.Add));
            Assert.True(result.IsCollection);
            Assert.Equal(plan.TotalBytes, reported.Max());
            foreach (string file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
            {
                Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(copy, Path.GetRelativePath(tree, file))));
            }
        }
    }

    [Fact]
    public async Task A_range_is_read_into_memory_verified_and_clipped_to_the_blob()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_range_is_read_into_memory_verified_and_clipped_to_the_blob)), 100_000);
        Blake3Hash hash = await PutAsync(data);
        BlobFetcher fetcher = Fetcher();

        FetchedRange middle = await fetcher.ReadAsync(hash, 20_000, 50_001);
        Assert.Equal(data[20_000..50_001], middle.Bytes);
        Assert.Equal((100_000L, 20_000L, _silos[0].Ticket), (middle.BlobSize, middle.Start, middle.Provider));
        Assert.Equal(data[99_000..], (await fetcher.ReadAsync(hash, 99_000, 1 << 30)).Bytes);
        Assert.Equal(data, (await fetcher.ReadAsync(hash)).Bytes);

        var tooLarge = await Assert.ThrowsAsync<RangeTooLargeException>(() => fetcher.ReadAsync(hash, 0, null, maxLength: 1000));
        Assert.Equal((100_000L, 1000L), (tooLarge.Length, tooLarge.MaxLength));
        await Assert.ThrowsAsync<ArgumentException>(() => fetcher.ReadAsync(hash, 100_000, 100_010));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fetcher.ReadAsync(hash, 10, 10));
    }

    [Fact]
    public async Task A_blob_the_silo_does_not_have_is_not_found()
    {
        var error = await Assert.ThrowsAsync<BlobProtocolException>(() => Fetcher().PlanAsync(Blake3.Hash([4, 5, 6])));
        Assert.Equal(BlobStatus.NotFound, error.Status);
        error = await Assert.ThrowsAsync<BlobProtocolException>(() => Fetcher().ReadAsync(Blake3.Hash([4, 5, 6])));
        Assert.Equal(BlobStatus.NotFound, error.Status);
    }

    /// <summary>
    /// A file split across the asked silo and another it named: a provider that sends bad bytes is
    /// dropped and its pieces refetched; one that cannot be connected to is skipped; the file is whole.
    /// </summary>
    [Fact]
    public async Task A_file_is_split_across_providers_and_survives_a_corrupt_and_an_unreachable_one()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_file_is_split_across_providers_and_survives_a_corrupt_and_an_unreachable_one)), (12 << 20) + 777);
        Blake3Hash hash = await PutAsync(data, [.. _silos]);

        // Every piece on the second silo is bad, its first block included: whichever it serves is refused.
        string stored = _silos[1].Store.DataPath(hash);
        byte[] onDisk = await File.ReadAllBytesAsync(stored);
        for (long offset = 100; offset < onDisk.Length; offset += Downloader.PieceBlocks * (long)BaoTree.BlockSize)
        {
            onDisk[offset] ^= 0x01;
        }

        await File.WriteAllBytesAsync(stored, onDisk);
        SiloTicket nowhere = SiloTicket.Parse($"granary:{new string('a', 52)}@127.0.0.1:9");
        var fetcher = new BlobFetcher(_client, (silo, ct) => silo == nowhere
            ? throw new QuicException(QuicError.ConnectionRefused, null, "no answer within 5 s")
            : Connect(silo, ct))
        {
            ExtraProviders = [_silos[1].Ticket, nowhere],
        };

        await using FetchPlan plan = await fetcher.PlanAsync(hash);
        Assert.Equal([_silos[0].Ticket, _silos[1].Ticket], plan.Providers);
        Assert.Contains("cannot reach the silo", Assert.Single(plan.Skipped, s => s.Key == nowhere).Value, StringComparison.Ordinal);

        string path = _directory.File("split.bin");
        FetchResult result = await plan.DownloadAsync(path);
        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Contains("does not match the blob's hash tree", result.Dropped[_silos[1].Ticket], StringComparison.Ordinal);

        // One provider only: the asked silo, nobody else is even connected to.
        await using FetchPlan single = await new BlobFetcher(_client, Connect) { ExtraProviders = [_silos[1].Ticket], SingleProvider = true }.PlanAsync(hash);
        Assert.Equal([_silos[0].Ticket], single.Providers);
    }

    /// <summary>
    /// The asked silo lacks the blob: another provider tells what it is and serves it. A file the
    /// fetcher cannot use at all fails with every provider's reason.
    /// </summary>
    [Fact]
    public async Task Another_provider_serves_what_the_asked_silo_lacks_and_when_none_can_every_reason_is_kept()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Another_provider_serves_what_the_asked_silo_lacks_and_when_none_can_every_reason_is_kept)), 40_000);
        Blake3Hash hash = await PutAsync(data, _silos[0], _silos[1]);

        var unreachable = new BlobFetcher(_client, (_, _) => throw new QuicException(QuicError.ConnectionRefused, null, "no answer"))
        {
            ExtraProviders = [_silos[1].Ticket],
        };
        await using (FetchPlan plan = await unreachable.PlanAsync(hash))
        {
            Assert.Equal([_silos[0].Ticket], plan.Providers);
        }

        // The second silo's copy alone is intact; the asked silo's is corrupt in its first block.
        string stored = _silos[0].Store.DataPath(hash);
        byte[] onDisk = await File.ReadAllBytesAsync(stored);
        onDisk[10] ^= 0x01;
        await File.WriteAllBytesAsync(stored, onDisk);
        await using (FetchPlan plan = await Fetcher(_silos[1]).PlanAsync(hash))
        {
            Assert.Equal([_silos[1].Ticket], plan.Providers);
            string path = _directory.File("from-the-other.bin");
            FetchResult result = await plan.DownloadAsync(path);
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
            Assert.True(result.Dropped.ContainsKey(_silos[0].Ticket));
            Assert.Equal(data[..5], (await Fetcher(_silos[1]).ReadAsync(hash, 0, 5)).Bytes);
        }

        var failed = await Assert.ThrowsAsync<ProvidersFailedException>(() => unreachable.PlanAsync(hash));
        Assert.True(failed.BadData);
        Assert.Equal(2, failed.Failures.Count);
    }
}
