using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;

namespace Granary.Blobs.Tests;

public sealed class CollectionTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private TestSilo _silo = null!;
    private BlobClient _client = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _client = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
        _directory.Dispose();
    }

    private string MakeTree()
    {
        var random = TestRandom.For(nameof(CollectionTests));
        string root = _directory.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        File.WriteAllBytes(Path.Combine(root, "top.txt"), TestRandom.Bytes(random, 1000));
        File.WriteAllBytes(Path.Combine(root, "empty"), []);
        File.WriteAllBytes(Path.Combine(root, "a", "large.bin"), TestRandom.Bytes(random, (2 << 20) + 3));
        File.WriteAllBytes(Path.Combine(root, "a", "b", "same-as-top.txt"), File.ReadAllBytes(Path.Combine(root, "top.txt")));
        return root;
    }

    [Fact]
    public async Task A_directory_round_trips_as_one_collection_in_one_request()
    {
        string root = MakeTree();
        var (stored, entries, _) = await _client.PutDirectoryAsync(root);
        Assert.Equal(["a/b/same-as-top.txt", "a/large.bin", "empty", "top.txt"], entries.Entries.Select(e => e.Path));

        string copy = _directory.File("copy");
        var (collection, missing) = await _client.GetCollectionAsync(stored.Hash, copy);
        Assert.Empty(missing);
        foreach (CollectionEntry entry in collection.Entries)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(root, entry.Path)), await File.ReadAllBytesAsync(Path.Combine(copy, entry.Path)));
        }

        Assert.Empty(Directory.EnumerateFiles(copy, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Children_the_silo_lacks_are_reported_and_the_rest_delivered()
    {
        string root = MakeTree();
        var (stored, entries, _) = await _client.PutDirectoryAsync(root);
        CollectionEntry large = entries.Entries.Single(e => e.Path == "a/large.bin");
        await _client.DeleteAsync(large.Hash);

        string copy = _directory.File("partial-copy");
        var (_, missing) = await _client.GetCollectionAsync(stored.Hash, copy);
        Assert.Equal([large], missing);
        Assert.False(File.Exists(Path.Combine(copy, "a", "large.bin")));
        Assert.True(File.Exists(Path.Combine(copy, "top.txt")));
    }

    [Fact]
    public async Task A_plain_blob_is_not_a_collection()
    {
        var blob = await _client.PutAsync(new MemoryStream([1, 2, 3]), 3);
        var error = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.GetCollectionAsync(blob.Hash, _directory.File("x")));
        Assert.Equal(BlobStatus.NotACollection, error.Status);
    }

    [Fact]
    public async Task A_collection_that_points_outside_its_directory_is_refused()
    {
        byte[] hostile = [.. "granary-collection/1\n"u8, .. Bencode.Encode(new List<object> { new List<object> { "../escape"u8.ToArray(), Blake3.Hash([1]).ToArray(), 1L } })];
        var blob = await _client.PutAsync(new MemoryStream(hostile), hostile.Length);
        var error = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.GetCollectionAsync(blob.Hash, _directory.File("victim")));
        Assert.Equal(BlobStatus.NotACollection, error.Status);
        Assert.Contains("not a safe relative path", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_directory.File("escape")));

        Assert.Throws<FormatException>(() => BlobCollection.Resolve(_directory.Path, new CollectionEntry("a/../../x", Blake3.Hash([1]), 1)));
        Assert.Throws<FormatException>(() => new BlobCollection([new CollectionEntry("/etc/passwd", Blake3.Hash([1]), 1)]));
    }
}
