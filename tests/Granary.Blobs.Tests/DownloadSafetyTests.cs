using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>
/// A download writes nowhere but its own files: not through links planted at its temporary
/// names, not over an entry that happens to be named like another's temporary file, not over a
/// file that appeared meanwhile; and when every provider fails, it says which kind of failure.
/// </summary>
public sealed class DownloadSafetyTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private TestSilo _silo = null!;
    private TestSilo _other = null!;
    private BlobClient _client = null!;
    private BlobClient _otherClient = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _other = await TestSilo.StartAsync();
        _client = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
        _otherClient = await BlobClient.ConnectAsync(_other.Ticket, TestSilo.Token);
    }

    public async Task DisposeAsync()
    {
        await _otherClient.DisposeAsync();
        await _client.DisposeAsync();
        await _other.DisposeAsync();
        await _silo.DisposeAsync();
        _files.Dispose();
    }

    private async Task<Blake3Hash> PutBothAsync(byte[] data)
    {
        Blake3Hash hash = (await _client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        await _otherClient.PutAsync(new MemoryStream(data), data.Length);
        return hash;
    }

    [Fact]
    public async Task An_entry_named_like_another_entrys_partial_file_comes_back_with_its_own_content()
    {
        string tree = _files.File("tree");
        Directory.CreateDirectory(tree);
        byte[] big = TestRandom.Bytes(TestRandom.For("entry-big"), 3 << 20);
        byte[] bigPartial = TestRandom.Bytes(TestRandom.For("entry-big.partial"), 2 << 20);
        await File.WriteAllBytesAsync(Path.Combine(tree, "big"), big);
        await File.WriteAllBytesAsync(Path.Combine(tree, "big.partial"), bigPartial);
        await File.WriteAllBytesAsync(Path.Combine(tree, "big.partial.state"), [1, 2, 3]);
        Blake3Hash collection = (await _client.PutDirectoryAsync(DirectoryTree.Scan(tree))).Collection.Hash;
        await _otherClient.PutDirectoryAsync(DirectoryTree.Scan(tree));

        string single = _files.File("single");
        await _client.GetCollectionAsync(collection, single);
        string split = _files.File("split");
        await new Downloader([_client, _otherClient]).DownloadCollectionAsync(collection, split);

        foreach (string copy in new[] { single, split })
        {
            Assert.Equal(big, await File.ReadAllBytesAsync(Path.Combine(copy, "big")));
            Assert.Equal(bigPartial, await File.ReadAllBytesAsync(Path.Combine(copy, "big.partial")));
            Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(copy, "big.partial.state")));
            Assert.Equal(3, Directory.GetFileSystemEntries(copy).Length);
        }
    }

    public enum Planted
    {
        LinkAtPartial,
        DanglingLinkAtPartial,
        LinkAtState,
        FifoAtPartial,
        DirectoryAtPartial,
    }

    [Theory]
    [InlineData(Planted.LinkAtPartial)]
    [InlineData(Planted.DanglingLinkAtPartial)]
    [InlineData(Planted.LinkAtState)]
    [InlineData(Planted.FifoAtPartial)]
    [InlineData(Planted.DirectoryAtPartial)]
    public async Task Nothing_planted_at_a_temporary_name_is_written_through(Planted planted)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("planted"), 1 << 20);
        Blake3Hash hash = await PutBothAsync(data);
        string victim = _files.File($"victim-{planted}.txt");
        string absent = _files.File($"absent-{planted}.txt");
        await File.WriteAllTextAsync(victim, "precious");
        string target = _files.File($"out-{planted}.bin");
        var checkpoint = new DownloadCheckpoint(target, hash);
        switch (planted)
        {
            case Planted.LinkAtPartial:
                File.CreateSymbolicLink(checkpoint.PartialPath, victim);
                break;
            case Planted.DanglingLinkAtPartial:
                File.CreateSymbolicLink(checkpoint.PartialPath, absent);
                break;
            case Planted.LinkAtState:
                await File.WriteAllBytesAsync(checkpoint.PartialPath, data[..(16 << 10)]);
                File.CreateSymbolicLink(checkpoint.StatePath, victim);
                break;
            case Planted.FifoAtPartial:
                Assert.Equal(0, (await ExternalTool.RunAsync("mkfifo", [checkpoint.PartialPath])).ExitCode);
                break;
            default:
                Directory.CreateDirectory(checkpoint.PartialPath);
                break;
        }

        foreach (Func<Task> download in new Func<Task>[]
        {
            // Checkpoints every 64 KiB, so that a planted record is written to (or refused) at once.
            () => BlobDownload.ToFileAsync(_client, hash, target, checkpointBytes: 64 << 10),
            () => new Downloader([_client, _otherClient]) { CheckpointBytes = 64 << 10 }.DownloadAsync(hash, target),
        })
        {
            var refused = await Assert.ThrowsAsync<IOException>(download).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(planted == Planted.LinkAtState ? checkpoint.StatePath : checkpoint.PartialPath, refused.Message, StringComparison.Ordinal);
            Assert.Equal("precious", await File.ReadAllTextAsync(victim));
            Assert.False(File.Exists(absent));
            Assert.False(File.Exists(target));
        }
    }

    [Fact]
    public async Task A_link_planted_at_a_collection_entrys_partial_name_is_not_written_through()
    {
        string tree = _files.File("small-tree");
        Directory.CreateDirectory(tree);
        await File.WriteAllTextAsync(Path.Combine(tree, "a.txt"), "a\n");
        Blake3Hash collection = (await _client.PutDirectoryAsync(DirectoryTree.Scan(tree))).Collection.Hash;
        string victim = _files.File("victim-entry.txt");
        await File.WriteAllTextAsync(victim, "precious");
        string target = _files.File("entry-copy");
        Directory.CreateDirectory(target);
        File.CreateSymbolicLink(Path.Combine(target, "a.txt.partial"), victim);

        await Assert.ThrowsAnyAsync<IOException>(() => _client.GetCollectionAsync(collection, target));
        await Assert.ThrowsAnyAsync<IOException>(() => new Downloader([_client]).DownloadCollectionAsync(collection, target));

        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
        Assert.False(File.Exists(Path.Combine(target, "a.txt")));
    }

    [Fact]
    public async Task A_file_that_appears_during_a_download_is_not_replaced_without_overwrite_and_the_download_is_kept()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("appears"), 4 << 20);
        Blake3Hash hash = await PutBothAsync(data);
        string target = _files.File("appears.bin");
        bool written = false;
        var progress = new InlineProgress<(long Done, long Total)>(p =>
        {
            if (!written && p.Done > 0)
            {
                written = true;
                File.WriteAllText(target, "the user's own file");
            }
        });

        var refused = await Assert.ThrowsAsync<TargetExistsException>(() => BlobDownload.ToFileAsync(_client, hash, target, progress));
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        Assert.Equal("the user's own file", await File.ReadAllTextAsync(target));
        Assert.True(File.Exists(new DownloadCheckpoint(target, hash).PartialPath));

        FileDownloadResult forced = await BlobDownload.ToFileAsync(_client, hash, target, overwrite: true);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal(0, forced.Discarded);
    }

    [Fact]
    public async Task When_every_provider_is_gone_the_failure_says_retry_and_when_every_one_lies_it_says_bad_data()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("all-fail"), 2 << 20);
        Blake3Hash hash = await PutBothAsync(data);

        // Every stored copy damaged: bad data, not a local file problem.
        foreach (TestSilo silo in new[] { _silo, _other })
        {
            string stored = Directory.EnumerateFiles(silo.Directory.Path, hash + ".data", SearchOption.AllDirectories).Single();
            byte[] bytes = await File.ReadAllBytesAsync(stored);
            bytes[12345] ^= 1;
            await File.WriteAllBytesAsync(stored, bytes);
        }

        var lied = await Assert.ThrowsAsync<ProvidersFailedException>(() => new Downloader([_client, _otherClient]).DownloadAsync(hash, _files.File("lied.bin")));
        Assert.True(lied.BadData);
        Assert.False(lied.Retryable);
        Assert.Equal(CommandErrorKind.VerificationFailed, CommandErrors.From(lied, hash.ToString())!.Kind);

        // Every silo stopped: retry.
        await _silo.Router.ShutdownAsync(TimeSpan.FromSeconds(5));
        await _other.Router.ShutdownAsync(TimeSpan.FromSeconds(5));
        var gone = await Assert.ThrowsAsync<ProvidersFailedException>(() => new Downloader([_client, _otherClient]).DownloadAsync(hash, _files.File("gone.bin")));
        Assert.True(gone.Retryable);
        Assert.True(SiloUnavailable.IsRetryable(gone));
        Assert.Equal(CommandErrorKind.Unreachable, CommandErrors.From(gone, hash.ToString())!.Kind);
    }

    [Fact]
    public async Task Sending_a_fifo_or_a_device_is_refused_at_once_not_hung()
    {
        string fifo = _files.File("pipe");
        Assert.Equal(0, (await ExternalTool.RunAsync("mkfifo", [fifo])).ExitCode);
        foreach (string special in new[] { fifo, "/dev/zero", _files.Path })
        {
            var refused = await Assert.ThrowsAsync<IOException>(() => _client.PutFileAsync(special)).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("only regular files", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_lifetime_longer_than_the_silo_keeps_is_granted_shorter_and_the_user_is_told()
    {
        var host = new RecordingHost();
        await using var session = await GranarySession.ConnectAsync([_silo.Ticket.ToString()], TestSilo.Token, host);
        await new SendBlobCommand { Bytes = [9, 8, 7], Ttl = TimeSpan.FromDays(365) }.RunAsync(session, host);
        string warning = Assert.Single(host.Warnings);
        Assert.Contains("at most about 90 days", warning, StringComparison.Ordinal);

        var within = new RecordingHost();
        await new SendBlobCommand { Bytes = [9, 8, 6], Ttl = TimeSpan.FromDays(30) }.RunAsync(session, within);
        Assert.Empty(within.Warnings);

        BlobInfo stored = await _client.InfoAsync(Blake3.Hash([9, 8, 7]));
        Assert.Null(GrantedLifetime.Shortened(null, DateTimeOffset.UtcNow, stored));
    }
}
