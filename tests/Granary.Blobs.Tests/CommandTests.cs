using System.Collections.Concurrent;
using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Hashing;
using Granary.Testing;

namespace Granary.Blobs.Tests;

/// <summary>The command classes behind the PowerShell cmdlets, end to end against a real silo.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private TestSilo _silo = null!;
    private GranarySession _session = null!;
    private readonly TempDirectory _files = new();

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync();
        _session = await GranarySession.ConnectAsync([_silo.Ticket.ToString()], TestSilo.Token, new RecordingHost());
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _silo.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task A_directory_sent_with_recurse_comes_back_as_the_same_tree()
    {
        string source = Path.Combine(_files.Path, "photos");
        Directory.CreateDirectory(Path.Combine(source, "2026", "nov"));
        Random random = TestRandom.For(nameof(A_directory_sent_with_recurse_comes_back_as_the_same_tree));
        File.WriteAllBytes(Path.Combine(source, "a.jpg"), TestRandom.Bytes(random, 300_000));
        File.WriteAllBytes(Path.Combine(source, "2026", "nov", "b.jpg"), TestRandom.Bytes(random, 5));
        File.WriteAllBytes(Path.Combine(source, "empty.txt"), []);

        var send = new RecordingHost();
        await new SendBlobCommand { Paths = [source], Recurse = true }.RunAsync(_session, send);
        BlobItem collection = Assert.IsType<BlobItem>(Assert.Single(send.Outputs));
        Assert.True(collection.IsCollection);
        Assert.Equal(source, collection.Path);
        Assert.StartsWith("granary:", collection.Ticket, StringComparison.Ordinal);
        Assert.Contains(send.Progress, p => p.Completed && p.Done == 300_005);
        Assert.Empty(send.Errors);

        string target = Path.Combine(_files.Path, "copy");
        var get = new RecordingHost();
        await new GetBlobCommand { Blobs = [collection.Ticket], Destination = target }.RunAsync(_session, get);
        DownloadedBlob downloaded = Assert.IsType<DownloadedBlob>(Assert.Single(get.Outputs));
        Assert.True(downloaded.IsCollection);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(target, Path.GetRelativePath(source, file))));
        }
    }

    [Fact]
    public async Task Files_round_trip_and_an_interrupted_download_resumes()
    {
        string file = Path.Combine(_files.Path, "big.bin");
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Files_round_trip_and_an_interrupted_download_resumes)), 24 << 20);
        File.WriteAllBytes(file, data);
        var send = new RecordingHost();
        await new SendBlobCommand { Paths = [file], Tags = new Dictionary<string, string> { ["team"] = "ops" } }.RunAsync(_session, send);
        BlobItem blob = Assert.IsType<BlobItem>(Assert.Single(send.Outputs));
        Assert.Equal(Blake3.Hash(data).ToString(), blob.Hash);
        Assert.Equal("ops", blob.Tags["team"]);

        // Stop the first download part-way (as Ctrl-C does), then run it again.
        string target = Path.Combine(_files.Path, "big.copy");
        using (var stop = new CancellationTokenSource())
        {
            var first = new RecordingHost(stop.Token);
            first.OnProgress = p =>
            {
                if (p.Done > 10 << 20 && !first.Stopped)
                {
                    first.Stopped = true;
                    stop.Cancel();
                }
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new GetBlobCommand { Blobs = [blob.Hash], Destination = target }.RunAsync(_session, first));
        }

        Assert.True(File.Exists(target + ".partial"));
        var second = new RecordingHost();
        await new GetBlobCommand { Blobs = [blob.Hash], Destination = target }.RunAsync(_session, second);
        Assert.Equal(data, File.ReadAllBytes(target));
        Assert.Contains(second.VerboseMessages, m => m.StartsWith("Resumed", StringComparison.Ordinal));

        var test = new RecordingHost();
        await new TestBlobCommand { Paths = [target, file], Hash = blob.Hash }.RunAsync(test);
        Assert.Equal([true, true], test.Outputs.Cast<bool>());
        File.WriteAllBytes(target, [1, 2, 3]);
        var detailed = new RecordingHost();
        await new TestBlobCommand { Paths = [target], Hash = blob.Ticket, Detailed = true }.RunAsync(detailed);
        Assert.False(Assert.IsType<BlobVerification>(Assert.Single(detailed.Outputs)).IsValid);
    }

    [Fact]
    public async Task Ranges_and_byte_arrays_return_exactly_the_bytes_asked_for()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Ranges_and_byte_arrays_return_exactly_the_bytes_asked_for)), 100_000);
        var send = new RecordingHost();
        await new SendBlobCommand { Bytes = data }.RunAsync(_session, send);
        string hash = Assert.IsType<BlobItem>(Assert.Single(send.Outputs)).Hash;

        var whole = new RecordingHost();
        await new GetBlobCommand { Blobs = [hash], AsByteArray = true }.RunAsync(_session, whole);
        Assert.Equal(data, Assert.IsType<byte[]>(Assert.Single(whole.Outputs)));

        var part = new RecordingHost();
        await new GetBlobCommand { Blobs = [hash], AsByteArray = true, Range = (20_000, 50_001) }.RunAsync(_session, part);
        Assert.Equal(data[20_000..50_001], Assert.IsType<byte[]>(Assert.Single(part.Outputs)));
    }

    [Fact]
    public async Task Each_bad_input_is_its_own_error_and_the_others_still_run()
    {
        byte[] data = [1, 2, 3, 4];
        var send = new RecordingHost();
        await new SendBlobCommand { Bytes = data, Ttl = TimeSpan.FromMinutes(5) }.RunAsync(_session, send);
        string good = Assert.IsType<BlobItem>(Assert.Single(send.Outputs)).Hash;
        string missing = Blake3.Hash([9, 9]).ToString();

        var info = new RecordingHost();
        await new GetBlobInfoCommand { Blobs = [missing, "granary:not-a-ticket", good] }.RunAsync(_session, info);
        Assert.Equal(good, Assert.IsType<BlobItem>(Assert.Single(info.Outputs)).Hash);
        Assert.Collection(
            info.Errors,
            e => Assert.Equal((CommandErrorKind.NotFound, (object?)missing), (e.Kind, e.Target)),
            e => Assert.Equal(CommandErrorKind.InvalidArgument, e.Kind));

        // Expired: the silo's clock moves past the TTL.
        _silo.Clock.Advance(TimeSpan.FromMinutes(6));
        var expired = new RecordingHost();
        await new GetBlobCommand { Blobs = [good], AsByteArray = true }.RunAsync(_session, expired);
        Assert.Equal(CommandErrorKind.Expired, Assert.Single(expired.Errors).Kind);

        // A directory without -Recurse and a path that does not exist: errors, not exceptions.
        var paths = new RecordingHost();
        await new SendBlobCommand { Paths = [_files.Path, Path.Combine(_files.Path, "nope")] }.RunAsync(_session, paths);
        Assert.Equal([CommandErrorKind.InvalidArgument, CommandErrorKind.LocalFile], paths.Errors.Select(e => e.Kind));
        Assert.Contains("-Recurse", paths.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_or_no_silo_ends_the_command_with_a_clear_error()
    {
        var wrong = await Assert.ThrowsAsync<GranaryCommandException>(() => GranarySession.ConnectAsync([_silo.Ticket.ToString()], "wrong", new RecordingHost()));
        Assert.Equal(CommandErrorKind.Unauthorized, wrong.Error.Kind);
        var bad = await Assert.ThrowsAsync<GranaryCommandException>(() => GranarySession.ConnectAsync(["not a ticket"], TestSilo.Token, new RecordingHost()));
        Assert.Equal(CommandErrorKind.InvalidArgument, bad.Error.Kind);
        var none = await Assert.ThrowsAsync<GranaryCommandException>(() => GranarySession.ConnectAsync([_silo.Ticket.ToString()], " ", new RecordingHost()));
        Assert.Contains("-TokenFile", none.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatIf_changes_nothing_and_remove_and_extend_act_when_confirmed()
    {
        var send = new RecordingHost();
        await new SendBlobCommand { Bytes = [5, 6, 7] }.RunAsync(_session, send);
        BlobItem blob = Assert.IsType<BlobItem>(Assert.Single(send.Outputs));

        var whatIf = new RecordingHost { Answer = false };
        await new RemoveBlobCommand { Blobs = [blob.Hash] }.RunAsync(_session, whatIf);
        await new SendBlobCommand { Bytes = [8, 8, 8] }.RunAsync(_session, whatIf);
        Assert.Equal(2, whatIf.Questions.Count);
        Assert.True(await _silo.Store.HasAsync(Blake3Hash.Parse(blob.Hash)));
        Assert.False(await _silo.Store.HasAsync(Blake3.Hash([8, 8, 8])));

        var extend = new RecordingHost();
        await new UpdateBlobExpiryCommand { Blobs = [blob.Hash], Ttl = TimeSpan.FromDays(30), PassThru = true }.RunAsync(_session, extend);
        Assert.True(Assert.IsType<BlobItem>(Assert.Single(extend.Outputs)).Expires > DateTimeOffset.UtcNow.AddDays(29));

        await new RemoveBlobCommand { Blobs = [blob.Hash] }.RunAsync(_session, new RecordingHost());
        Assert.False(await _silo.Store.HasAsync(Blake3Hash.Parse(blob.Hash)));
    }

    [Fact]
    public async Task Send_recurse_reports_each_left_out_entry_as_its_own_error_and_still_outputs_the_collection()
    {
        string source = Path.Combine(_files.Path, "awkward");
        await AwkwardTree.CreateAsync(source);

        var send = new RecordingHost();
        await new SendBlobCommand { Paths = [source], Recurse = true }.RunAsync(_session, send).WaitAsync(TimeSpan.FromSeconds(60));
        BlobItem collection = Assert.IsType<BlobItem>(Assert.Single(send.Outputs));
        Assert.True(collection.IsCollection);
        Assert.All(send.Errors, e => Assert.Equal(CommandErrorKind.LocalFile, e.Kind));
        Assert.Equal(AwkwardTree.LeftOut.Select(p => Path.Join(source, p)), send.Errors.Select(e => (string)e.Target!).Order(StringComparer.Ordinal));
        Assert.Contains(send.Errors, e => e.Message.Contains("bad\\xFFname: its name is not valid UTF-8", StringComparison.Ordinal));

        var follow = new RecordingHost();
        await new SendBlobCommand { Paths = [source], Recurse = true, FollowSymlinks = true }.RunAsync(_session, follow).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(AwkwardTree.LeftOut.Length - 1, follow.Errors.Count);
        Assert.DoesNotContain(follow.Errors, e => e.Message.Contains("link-outside", StringComparison.Ordinal));

        string target = Path.Combine(_files.Path, "awkward-copy");
        var get = new RecordingHost();
        await new GetBlobCommand { Blobs = [collection.Hash], Destination = target }.RunAsync(_session, get);
        Assert.Empty(get.Errors);
        Assert.Equal("backslash", File.ReadAllText(Path.Combine(target, "back\\slash.txt")));
        Assert.Equal("long name", File.ReadAllText(Path.Combine(target, AwkwardTree.LongName)));
        Assert.All(AwkwardTree.CarriedDirectories, d => Assert.True(Directory.Exists(Path.Combine(target, d)), d));
        Assert.False(File.Exists(Path.Combine(target, "link-outside")));
    }

    [Fact]
    public async Task Get_never_replaces_an_existing_file_without_Force_and_a_refusal_writes_nothing()
    {
        var send = new RecordingHost();
        await new SendBlobCommand { Bytes = [1, 2, 3, 4, 5] }.RunAsync(_session, send);
        string hash = Assert.IsType<BlobItem>(Assert.Single(send.Outputs)).Hash;

        string existing = Path.Combine(_files.Path, "mine.txt");
        await File.WriteAllTextAsync(existing, "my data");
        foreach (GetBlobCommand refused in new[]
        {
            new GetBlobCommand { Blobs = [hash], Destination = existing },
            new GetBlobCommand { Blobs = [hash], Destination = existing, SingleProvider = true },
            new GetBlobCommand { Blobs = [hash], Destination = existing, Range = (0, 2) },
        })
        {
            var host = new RecordingHost();
            await refused.RunAsync(_session, host);
            CommandError error = Assert.Single(host.Errors);
            Assert.Equal(CommandErrorKind.LocalFile, error.Kind);
            Assert.Contains(existing, error.Message, StringComparison.Ordinal);
            Assert.Empty(host.Outputs);
            Assert.Equal("my data", await File.ReadAllTextAsync(existing));
            Assert.Equal([existing], Directory.EnumerateFiles(_files.Path));
        }

        var forced = new RecordingHost();
        await new GetBlobCommand { Blobs = [hash], Destination = existing, Force = true }.RunAsync(_session, forced);
        Assert.Empty(forced.Errors);
        Assert.Equal([1, 2, 3, 4, 5], await File.ReadAllBytesAsync(existing));

        // A collection into a directory holding one of its files with other content: refused, then forced.
        string tree = Path.Combine(_files.Path, "tree");
        Directory.CreateDirectory(tree);
        await File.WriteAllTextAsync(Path.Combine(tree, "a.txt"), "from the collection");
        var sendTree = new RecordingHost();
        await new SendBlobCommand { Paths = [tree], Recurse = true }.RunAsync(_session, sendTree);
        string collection = Assert.IsType<BlobItem>(Assert.Single(sendTree.Outputs)).Hash;

        // A non-empty destination gets the collection in a subdirectory named by its hash: make that one conflict.
        string inside = Path.Combine(_files.Path, "dest", collection);
        Directory.CreateDirectory(inside);
        await File.WriteAllTextAsync(Path.Combine(inside, "a.txt"), "mine");
        var refusedTree = new RecordingHost();
        await new GetBlobCommand { Blobs = [collection], Destination = Path.Combine(_files.Path, "dest") }.RunAsync(_session, refusedTree);
        Assert.Contains("a.txt", Assert.Single(refusedTree.Errors).Message, StringComparison.Ordinal);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(inside, "a.txt")));
        Assert.Single(Directory.EnumerateFileSystemEntries(inside));

        var forcedTree = new RecordingHost();
        await new GetBlobCommand { Blobs = [collection], Destination = Path.Combine(_files.Path, "dest"), Force = true }.RunAsync(_session, forcedTree);
        Assert.Empty(forcedTree.Errors);
        Assert.Equal("from the collection", await File.ReadAllTextAsync(Path.Combine(inside, "a.txt")));
    }

    [Fact]
    public async Task A_destination_with_a_254_byte_name_downloads_whole()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_destination_with_a_254_byte_name_downloads_whole)), 200_000);
        var send = new RecordingHost();
        await new SendBlobCommand { Bytes = data }.RunAsync(_session, send);
        string hash = Assert.IsType<BlobItem>(Assert.Single(send.Outputs)).Hash;

        string target = Path.Combine(_files.Path, AwkwardTree.LongName);
        var get = new RecordingHost();
        await new GetBlobCommand { Blobs = [hash], Destination = target }.RunAsync(_session, get);
        Assert.Empty(get.Errors);
        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.EnumerateFileSystemEntries(_files.Path, "*", new EnumerationOptions { AttributesToSkip = 0 }));
    }
}
