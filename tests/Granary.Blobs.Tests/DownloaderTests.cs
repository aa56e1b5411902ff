using Granary.Blobs.Client;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>Multi-provider downloads over three real silos holding the same blob.</summary>
public sealed class DownloaderTests : IAsyncLifetime
{
    private readonly List<TestSilo> _silos = [];
    private readonly List<BlobClient> _clients = [];
    private readonly TempDirectory _directory = new();
    private byte[] _data = null!;
    private Blake3Hash _hash;

    public async Task InitializeAsync()
    {
        _data = TestRandom.Bytes(TestRandom.For(nameof(DownloaderTests)), (40 << 20) + 12345);
        for (int i = 0; i < 3; i++)
        {
            TestSilo silo = await TestSilo.StartAsync();
            _silos.Add(silo);
            BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token);
            _clients.Add(client);
            _hash = (await client.PutAsync(new MemoryStream(_data), _data.Length)).Hash;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (BlobClient client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (TestSilo silo in _silos)
        {
            await silo.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Split_downloads_use_every_provider_and_assemble_the_blob()
    {
        string path = _directory.File("split.bin");
        DownloadReport report = await new Downloader(_clients).DownloadAsync(_hash, path, SplitStrategy.Split);
        Assert.Equal(_data, await File.ReadAllBytesAsync(path));
        Assert.Equal(3, report.BytesByProvider.Count(p => p.Value > 0));
        Assert.Empty(report.Failures);
        Assert.Equal(_data.Length, report.BytesByProvider.Values.Sum());
    }

    [Theory]
    [InlineData(SplitStrategy.Split)]
    [InlineData(SplitStrategy.None)]
    public async Task A_provider_serving_corrupted_bytes_is_dropped_and_the_others_finish(SplitStrategy strategy)
    {
        // Silo 0 has a flipped bit in every piece, so whichever piece it serves is bad; it is also
        // first in line for SplitStrategy.None.
        string file = _silos[0].Store.DataPath(_hash);
        byte[] onDisk = await File.ReadAllBytesAsync(file);
        for (long offset = 5000; offset < onDisk.Length; offset += Downloader.PieceBlocks * (long)BaoTree.BlockSize)
        {
            onDisk[offset] ^= 0x01;
        }

        await File.WriteAllBytesAsync(file, onDisk);

        string path = _directory.File($"survived-{strategy}.bin");
        DownloadReport report = await new Downloader(_clients).DownloadAsync(_hash, path, strategy);
        Assert.Equal(Blake3.Hash(_data), Blake3.Hash(await File.ReadAllBytesAsync(path)));
        Assert.True(report.Failures.ContainsKey(_silos[0].Ticket), "the corrupt provider was not noticed");
        Assert.Contains("does not match the blob's hash tree", report.Failures[_silos[0].Ticket], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_goes_away_is_replaced_by_the_others()
    {
        await _silos[1].Router.DisposeAsync();
        string path = _directory.File("failover.bin");
        DownloadReport report = await new Downloader(_clients).DownloadAsync(_hash, path, SplitStrategy.Split);
        Assert.Equal(_data, await File.ReadAllBytesAsync(path));
        Assert.True(report.Failures.ContainsKey(_silos[1].Ticket));
    }

    [Fact]
    public async Task A_collection_is_split_across_providers_by_file_and_survives_a_corrupt_one()
    {
        string tree = _directory.File("tree");
        Directory.CreateDirectory(Path.Combine(tree, "d"));
        var random = TestRandom.For("collection split");
        for (int i = 0; i < 12; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(tree, i % 2 == 0 ? "d" : ".", $"f{i}.bin"), TestRandom.Bytes(random, 100_000 + (i * 1000)));
        }

        Blake3Hash collection = default;
        foreach (BlobClient client in _clients)
        {
            collection = (await client.PutDirectoryAsync(tree)).Collection.Hash;
        }

        // Provider 2 serves wrong bytes for every file.
        foreach (string file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
        {
            string stored = _silos[2].Store.DataPath(Blake3.Hash(await File.ReadAllBytesAsync(file)));
            byte[] bytes = await File.ReadAllBytesAsync(stored);
            bytes[7] ^= 0x80;
            await File.WriteAllBytesAsync(stored, bytes);
        }

        string copy = _directory.File("copy");
        DownloadReport report = await new Downloader(_clients).DownloadCollectionAsync(collection, copy);
        foreach (string file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(copy, Path.GetRelativePath(tree, file))));
        }

        Assert.True(report.BytesByProvider.Count(p => p.Value > 0) >= 2, "the files were not spread over the providers");
        Assert.True(report.Failures.ContainsKey(_silos[2].Ticket), "the corrupt provider was not noticed");
    }

    [Fact]
    public async Task When_every_provider_fails_the_error_names_each_one()
    {
        foreach (TestSilo silo in _silos)
        {
            string file = silo.Store.DataPath(_hash);
            byte[] onDisk = await File.ReadAllBytesAsync(file);
            onDisk[100] ^= 0x01;
            await File.WriteAllBytesAsync(file, onDisk);
        }

        var error = await Assert.ThrowsAsync<ProvidersFailedException>(() => new Downloader(_clients).DownloadAsync(_hash, _directory.File("never.bin")));
        Assert.True(error.BadData);
        Assert.False(error.Retryable);
        foreach (TestSilo silo in _silos)
        {
            Assert.Contains(silo.Ticket.ToString(), error.Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_directory.File("never.bin")));
    }
}
