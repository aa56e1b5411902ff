using System.Text;
using Granary.Blobs.Client;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>
/// Directory uploads and collection downloads of real trees, against a real silo: awkward names,
/// empty directories, links and special files, long names, and the overwrite rule.
/// </summary>
public sealed class TreeTests : IAsyncLifetime
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

    [Fact]
    public async Task An_awkward_tree_uploads_whole_minus_what_cannot_be_carried_and_comes_back_with_its_empty_directories()
    {
        string root = _directory.File("tree");
        await AwkwardTree.CreateAsync(root);

        // A FIFO opened for reading would block forever: the whole upload must finish well before that matters.
        DirectoryUpload upload = await _client.PutDirectoryAsync(root).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(AwkwardTree.CarriedFiles, upload.Entries.Entries.Select(e => e.Path));
        Assert.Equal(AwkwardTree.CarriedDirectories, upload.Entries.Directories);
        Assert.Equal(AwkwardTree.LeftOut, upload.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Equal(Blake3.Hash(Encoding.UTF8.GetBytes(AwkwardTree.PlainText)), upload.Entries.Entries.Single(e => e.Path == "link-inside").Hash);

        string Reason(string path) => upload.Skipped.Single(s => s.Path == path).Reason;
        Assert.Contains("not valid UTF-8", Reason("bad\\xFFname"), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", Reason("bad\\xFEdir"), StringComparison.Ordinal);
        Assert.Contains("dangling", Reason("dangling"), StringComparison.Ordinal);
        Assert.Contains("loop", Reason("loop-a"), StringComparison.Ordinal);
        Assert.Contains("back to the top of the tree", Reason("cycle/up"), StringComparison.Ordinal);
        Assert.Contains("outside the directory", Reason("link-outside"), StringComparison.Ordinal);
        Assert.Contains("--follow-links", Reason("link-outside"), StringComparison.Ordinal);
        Assert.Contains("a FIFO", Reason("only-fifo/pipe"), StringComparison.Ordinal);
        Assert.Contains("a socket", Reason("sock"), StringComparison.Ordinal);

        string copy = _directory.File("copy");
        var (collection, missing) = await _client.GetCollectionAsync(upload.Collection.Hash, copy);
        Assert.Empty(missing);
        Assert.Equal(upload.Entries.Directories, collection.Directories);
        Assert.Equal("backslash", await File.ReadAllTextAsync(Path.Combine(copy, "back\\slash.txt")));
        Assert.Equal("long name", await File.ReadAllTextAsync(Path.Combine(copy, AwkwardTree.LongName)));
        Assert.Equal(AwkwardTree.PlainText, await File.ReadAllTextAsync(Path.Combine(copy, "link-inside")));
        Assert.All(AwkwardTree.CarriedDirectories, d => Assert.True(Directory.Exists(Path.Combine(copy, d)), d));
        Assert.Empty(Directory.EnumerateFiles(copy, "*partial*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }));
    }

    [Fact]
    public async Task Following_links_sends_what_links_out_of_the_tree_point_to_but_never_a_loop_or_a_device()
    {
        string root = _directory.File("tree");
        await AwkwardTree.CreateAsync(root);
        File.CreateSymbolicLink(Path.Combine(root, "null"), "/dev/null");

        DirectoryUpload upload = await _client.PutDirectoryAsync(DirectoryTree.Scan(root, followSymlinks: true)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Blake3.Hash(Encoding.UTF8.GetBytes(AwkwardTree.OutsideText)), upload.Entries.Entries.Single(e => e.Path == "link-outside").Hash);
        Assert.Equal(
            AwkwardTree.LeftOut.Where(p => p != "link-outside").Append("null").Order(StringComparer.Ordinal),
            upload.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Contains("a character device", upload.Skipped.Single(s => s.Path == "null").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_directory_is_a_collection_whose_download_creates_the_target()
    {
        string root = _directory.File("nothing");
        Directory.CreateDirectory(root);
        DirectoryUpload upload = await _client.PutDirectoryAsync(root);
        Assert.Empty(upload.Entries.Entries);
        Assert.Empty(upload.Skipped);

        string copy = _directory.File("nothing-copy");
        await _client.GetCollectionAsync(upload.Collection.Hash, copy);
        Assert.True(Directory.Exists(copy));

        string viaDownloader = _directory.File("nothing-copy-2");
        await new Downloader([_client]).DownloadCollectionAsync(upload.Collection.Hash, viaDownloader);
        Assert.True(Directory.Exists(viaDownloader));
    }

    [Fact]
    public void Old_collections_still_decode_and_trees_without_empty_directories_are_still_written_as_version_1()
    {
        Blake3Hash hash = Blake3.Hash([1, 2, 3]);
        byte[] old = [.. "granary-collection/1\n"u8, .. Bencode.Encode(new List<object> { new List<object> { "a/b.txt"u8.ToArray(), hash.ToArray(), 3L } })];
        Assert.True(BlobCollection.TryDecode(old, out BlobCollection? decoded, out string? problem), problem);
        Assert.Equal([new CollectionEntry("a/b.txt", hash, 3)], decoded!.Entries);
        Assert.Empty(decoded.Directories);
        Assert.Equal(old, decoded.Encode());

        var withDirectory = new BlobCollection([new CollectionEntry("a/b.txt", hash, 3)], ["e"]);
        byte[] v2 = withDirectory.Encode();
        Assert.StartsWith("granary-collection/2\n", Encoding.ASCII.GetString(v2), StringComparison.Ordinal);
        Assert.True(BlobCollection.HasHeader(v2));
        Assert.True(BlobCollection.TryDecode(v2, out BlobCollection? again, out problem), problem);
        Assert.Equal(["e"], again!.Directories);

        // A directory entry is a version 2 thing, and a file cannot also hold entries.
        byte[] v1WithDirectory = [.. "granary-collection/1\n"u8, .. Bencode.Encode(new List<object> { new List<object> { "e"u8.ToArray() } })];
        Assert.False(BlobCollection.TryDecode(v1WithDirectory, out _, out _));
        Assert.Throws<FormatException>(() => new BlobCollection([new CollectionEntry("a", hash, 3)], ["a/b"]));
        Assert.Throws<FormatException>(() => new BlobCollection([new CollectionEntry("a", hash, 3), new CollectionEntry("a/c", hash, 3)]));
    }

    [Fact]
    public void A_backslash_is_part_of_a_name_but_nothing_may_escape_the_target()
    {
        Blake3Hash hash = Blake3.Hash([1]);
        Assert.Equal(Path.Combine(_directory.Path, "a\\b"), BlobCollection.Resolve(_directory.Path, new CollectionEntry("a\\b", hash, 1)));
        Assert.Equal(Path.Combine(_directory.Path, "..\\x"), BlobCollection.Resolve(_directory.Path, new CollectionEntry("..\\x", hash, 1)));
        foreach (string hostile in new[] { "..", "a/../../x", "/etc/passwd", "a/./b", "a//b", "a\0b", string.Empty })
        {
            Assert.Throws<FormatException>(() => BlobCollection.Resolve(_directory.Path, new CollectionEntry(hostile, hash, 1)));
            Assert.Throws<FormatException>(() => new BlobCollection([], [hostile]));
        }
    }

    [Fact]
    public void Temporary_names_fit_any_name_the_file_system_accepts_and_are_found_again()
    {
        string shortTarget = _directory.File("copy.bin");
        Assert.Equal(shortTarget + ".partial", DownloadPaths.Partial(shortTarget));
        Assert.Equal(shortTarget + ".partial.state", DownloadPaths.State(shortTarget));

        // 241 bytes + ".partial.state" is exactly 255: the readable name still fits.
        string fits = _directory.File(new string('f', 241));
        Assert.Equal(fits + ".partial", DownloadPaths.Partial(fits));

        foreach (string name in new[] { new string('g', 242), new string('n', 255), AwkwardTree.LongName })
        {
            string target = _directory.File(name);
            string partial = DownloadPaths.Partial(target);
            Assert.Equal(_directory.Path, Path.GetDirectoryName(partial));
            Assert.StartsWith(".granary-", Path.GetFileName(partial), StringComparison.Ordinal);
            Assert.True(Encoding.UTF8.GetByteCount(Path.GetFileName(DownloadPaths.State(target))) <= FileNames.MaxNameBytes);
            Assert.Equal(partial, DownloadPaths.Partial(target));
            Assert.Equal(partial + ".state", DownloadPaths.State(target));
        }

        Assert.NotEqual(DownloadPaths.Partial(_directory.File(new string('g', 242))), DownloadPaths.Partial(_directory.File(new string('h', 242))));
    }

    [Fact]
    public async Task A_file_with_a_254_byte_name_downloads_and_an_interrupted_download_of_it_resumes()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_file_with_a_254_byte_name_downloads_and_an_interrupted_download_of_it_resumes)), 3 << 20);
        Blake3Hash hash = (await _client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        string target = _directory.File(AwkwardTree.LongName);

        using (var stop = new CancellationTokenSource())
        {
            var progress = new InlineProgress<(long Done, long Total)>(p =>
            {
                if (p.Done > 1 << 20)
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BlobDownload.ToFileAsync(_client, hash, target, progress, checkpointBytes: 64 << 10, cancellationToken: stop.Token));
        }

        Assert.True(File.Exists(DownloadPaths.Partial(target)));
        Assert.True(File.Exists(DownloadPaths.State(target)));
        long fetched = (await BlobDownload.ToFileAsync(_client, hash, target)).Fetched;
        Assert.True(fetched < data.Length, $"fetched {fetched} of {data.Length}: the resume did not find its state");
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.EnumerateFileSystemEntries(_directory.Path, "*", new EnumerationOptions { AttributesToSkip = 0 }));

        string viaDownloader = _directory.File("d");
        Directory.CreateDirectory(viaDownloader);
        await new Downloader([_client]).DownloadAsync(hash, Path.Combine(viaDownloader, AwkwardTree.LongName));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(viaDownloader, AwkwardTree.LongName)));
    }

    [Fact]
    public async Task A_collection_with_254_byte_names_downloads_in_one_request_and_from_several_providers()
    {
        string root = _directory.File("long");
        Directory.CreateDirectory(Path.Combine(root, AwkwardTree.LongName));
        await File.WriteAllTextAsync(Path.Combine(root, AwkwardTree.LongName, AwkwardTree.LongName), "deep");
        await File.WriteAllTextAsync(Path.Combine(root, new string('x', 254)), "wide");
        DirectoryUpload upload = await _client.PutDirectoryAsync(root);

        foreach (string copy in new[] { _directory.File("one-request"), _directory.File("downloader") })
        {
            if (copy.EndsWith("downloader", StringComparison.Ordinal))
            {
                await new Downloader([_client]).DownloadCollectionAsync(upload.Collection.Hash, copy);
            }
            else
            {
                await _client.GetCollectionAsync(upload.Collection.Hash, copy);
            }

            Assert.Equal("deep", await File.ReadAllTextAsync(Path.Combine(copy, AwkwardTree.LongName, AwkwardTree.LongName)));
            Assert.Equal("wide", await File.ReadAllTextAsync(Path.Combine(copy, new string('x', 254))));
        }
    }

    [Fact]
    public async Task A_collection_download_refuses_to_replace_other_content_before_writing_anything()
    {
        string root = _directory.File("src");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateDirectory(Path.Combine(root, "void"));
        await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "new a");
        await File.WriteAllTextAsync(Path.Combine(root, "sub", "b.txt"), "new b");
        DirectoryUpload upload = await _client.PutDirectoryAsync(root);

        // The target holds one identical file (no loss: allowed) and one with other content.
        string target = _directory.File("target");
        Directory.CreateDirectory(Path.Combine(target, "sub"));
        await File.WriteAllTextAsync(Path.Combine(target, "a.txt"), "my own a");
        await File.WriteAllTextAsync(Path.Combine(target, "sub", "b.txt"), "new b");
        string[] before = Snapshot(target);

        var refused = await Assert.ThrowsAsync<TargetExistsException>(() => _client.GetCollectionAsync(upload.Collection.Hash, target));
        Assert.Equal([Path.Combine(target, "a.txt")], refused.Paths);
        Assert.Contains("a.txt", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.Forceable);
        Assert.Equal(before, Snapshot(target));
        Assert.Equal("my own a", await File.ReadAllTextAsync(Path.Combine(target, "a.txt")));

        await Assert.ThrowsAsync<TargetExistsException>(() => new Downloader([_client]).DownloadCollectionAsync(upload.Collection.Hash, target));
        Assert.Equal(before, Snapshot(target));

        await _client.GetCollectionAsync(upload.Collection.Hash, target, overwrite: true);
        Assert.Equal("new a", await File.ReadAllTextAsync(Path.Combine(target, "a.txt")));
        Assert.True(Directory.Exists(Path.Combine(target, "void")));

        // Some things are refused even when forced: a file where the collection has a directory, a link on the way.
        string blocked = _directory.File("blocked");
        Directory.CreateDirectory(blocked);
        await File.WriteAllTextAsync(Path.Combine(blocked, "sub"), "a file, not a directory");
        var notForceable = await Assert.ThrowsAsync<TargetExistsException>(() => _client.GetCollectionAsync(upload.Collection.Hash, blocked, overwrite: true));
        Assert.False(notForceable.Forceable);
        Assert.Equal(["sub"], Directory.EnumerateFileSystemEntries(blocked).Select(Path.GetFileName));

        string linked = _directory.File("linked");
        Directory.CreateDirectory(linked);
        Directory.CreateSymbolicLink(Path.Combine(linked, "sub"), _directory.File("elsewhere"));
        Directory.CreateDirectory(_directory.File("elsewhere"));
        await Assert.ThrowsAsync<TargetExistsException>(() => new Downloader([_client]).DownloadCollectionAsync(upload.Collection.Hash, linked, overwrite: true));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.File("elsewhere")));
    }

    private static string[] Snapshot(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => p + (File.Exists(p) ? "=" + File.ReadAllText(p) : "/")).Order(StringComparer.Ordinal)];
}
