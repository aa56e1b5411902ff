using System.Diagnostics;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary>The newcomer's path, as processes: start a silo, send a file, get it back, kill downloads.</summary>
public sealed class SiloProcessTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private Process _silo = null!;
    private string _ticket = null!;

    public async Task InitializeAsync()
    {
        ProcessStartInfo start = GranaryProcess.StartInfo(["silo", "run", "--data", ".granary", "--listen", "127.0.0.1:0"], _directory.Path);

        _silo = Process.Start(start)!;
        _ = _silo.StandardError.ReadToEndAsync();
        string? ready = await _silo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("ready granary:", ready, StringComparison.Ordinal);
        _ticket = ready!["ready ".Length..];
        Assert.Equal(_ticket, (await File.ReadAllTextAsync(Path.Combine(_directory.Path, ".granary", "silo.ticket"))).Trim());
    }

    public async Task DisposeAsync()
    {
        _silo.Kill(entireProcessTree: true);
        await _silo.WaitForExitAsync();
        _silo.Dispose();
        _directory.Dispose();
    }

    private Task<ToolResult> GranaryAsync(params string[] arguments) =>
        GranaryProcess.RunAsync(arguments, null, _directory.Path);

    [Fact]
    public async Task Send_then_get_gives_back_the_same_bytes_and_b3sum_agrees()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("send-get"), (3 << 20) + 11);
        await File.WriteAllBytesAsync(_directory.File("in.bin"), data);
        ToolResult sent = await GranaryAsync("send", "in.bin", "--ttl", "1h", "--tag", "project=apollo");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string[] words = sent.StdoutText.Trim().Split(' ');
        Assert.StartsWith(_ticket + "/", words[1], StringComparison.Ordinal);

        ToolResult got = await GranaryAsync("get", words[1], "-o", "out.bin");
        Assert.True(got.ExitCode == 0, got.Stderr);
        Assert.Equal(data, await File.ReadAllBytesAsync(_directory.File("out.bin")));
        string b3sum = ExternalTool.Require("b3sum", "./build.sh installs it.");
        ToolResult reference = await ExternalTool.RunAsync(b3sum, ["--no-names", "in.bin"], null, _directory.Path);
        Assert.Equal(reference.StdoutText.Trim(), words[0]);

        ToolResult info = await GranaryAsync("info", words[0]);
        Assert.Contains("tag:project=apollo", info.StdoutText, StringComparison.Ordinal);
        Assert.Contains("uploader=", info.StdoutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_sent_as_a_collection_and_comes_back_whole()
    {
        string tree = _directory.File("tree");
        Directory.CreateDirectory(Path.Combine(tree, "nested"));
        await File.WriteAllTextAsync(Path.Combine(tree, "a.txt"), "alpha");
        await File.WriteAllBytesAsync(Path.Combine(tree, "nested", "b.bin"), TestRandom.Bytes(TestRandom.For("tree"), 70_000));
        ToolResult sent = await GranaryAsync("send", "tree");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        ToolResult got = await GranaryAsync("get", sent.StdoutText.Trim().Split(' ')[1], "-o", "tree-copy");
        Assert.True(got.ExitCode == 0, got.Stderr);
        Assert.Equal("alpha", await File.ReadAllTextAsync(_directory.File("tree-copy/a.txt")));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(tree, "nested", "b.bin")), await File.ReadAllBytesAsync(_directory.File("tree-copy/nested/b.bin")));
    }

    [Fact]
    public async Task A_download_from_two_silos_survives_one_serving_bad_bytes()
    {
        // A second silo in its own process and directory, provisioned with the first silo's token
        // (silos that serve the same clients share one; a silo only creates a token if none exists).
        using var second = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(second.Path, ".granary"));
        File.Copy(Path.Combine(_directory.Path, ".granary", "admin.token"), Path.Combine(second.Path, ".granary", "admin.token"));
        ProcessStartInfo start = GranaryProcess.StartInfo(["silo", "run", "--data", ".granary", "--listen", "127.0.0.1:0"], second.Path);

        using var silo2 = Process.Start(start)!;
        try
        {
            _ = silo2.StandardError.ReadToEndAsync();
            string ticket2 = (await silo2.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!["ready ".Length..];

            byte[] data = TestRandom.Bytes(TestRandom.For("two silos"), 20 << 20);
            await File.WriteAllBytesAsync(_directory.File("both.bin"), data);
            ToolResult toSecond = await GranaryAsync("send", "both.bin", "--to", ticket2);
            Assert.True(toSecond.ExitCode == 0, toSecond.Stderr);
            string hash = toSecond.StdoutText.Split(' ')[0];

            ToolResult toFirst = await GranaryAsync("send", "both.bin", "--to", _ticket);
            Assert.True(toFirst.ExitCode == 0, toFirst.Stderr);

            string stored = Directory.EnumerateFiles(Path.Combine(second.Path, ".granary", "store", "blobs"), hash + ".data", SearchOption.AllDirectories).Single();
            byte[] bytes = await File.ReadAllBytesAsync(stored);
            for (int offset = 100; offset < bytes.Length; offset += 4 << 20)
            {
                bytes[offset] ^= 1;
            }

            await File.WriteAllBytesAsync(stored, bytes);
            ToolResult got = await GranaryAsync("get", $"{ticket2}/{hash}", "-o", "both-copy.bin", "--also-from", _ticket);
            Assert.True(got.ExitCode == 0, got.Stderr);
            Assert.Equal(data, await File.ReadAllBytesAsync(_directory.File("both-copy.bin")));
            Assert.Contains($"dropped {ticket2}", got.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            silo2.Kill(entireProcessTree: true);
            await silo2.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Send_of_an_awkward_tree_sends_the_rest_warns_about_each_entry_left_out_and_exits_4()
    {
        await AwkwardTree.CreateAsync(_directory.File("tree"));

        // A FIFO opened for reading blocks forever: the timeout makes a hang a failure, not a stuck run.
        ToolResult sent = await GranaryProcess.RunAsync(["send", "tree"], null, _directory.Path, TimeSpan.FromSeconds(90));
        Assert.True(sent.ExitCode == 4, $"exit {sent.ExitCode}: {sent.Stderr}");
        string[] words = sent.StdoutText.Trim().Split(' ');
        Assert.Equal(2, words.Length);
        foreach (string leftOut in AwkwardTree.LeftOut)
        {
            Assert.Contains($"granary: warning: left out {leftOut}: ", sent.Stderr, StringComparison.Ordinal);
        }

        Assert.Contains($"{AwkwardTree.LeftOut.Length} entries were left out of tree", sent.Stderr, StringComparison.Ordinal);

        ToolResult got = await GranaryAsync("get", words[1], "-o", "tree-copy");
        Assert.True(got.ExitCode == 0, got.Stderr);
        Assert.Equal("backslash", await File.ReadAllTextAsync(_directory.File("tree-copy/back\\slash.txt")));
        Assert.Equal("long name", await File.ReadAllTextAsync(_directory.File("tree-copy/" + AwkwardTree.LongName)));
        Assert.Equal(AwkwardTree.PlainText, await File.ReadAllTextAsync(_directory.File("tree-copy/link-inside")));
        Assert.All(AwkwardTree.CarriedDirectories, d => Assert.True(Directory.Exists(_directory.File("tree-copy/" + d)), d));
        Assert.Equal(
            AwkwardTree.CarriedFiles.Concat(AwkwardTree.CarriedDirectories).Append("deep").Order(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries(_directory.File("tree-copy"), "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(p => Path.GetRelativePath(_directory.File("tree-copy"), p)).Order(StringComparer.Ordinal));

        ToolResult followed = await GranaryProcess.RunAsync(["send", "tree", "--follow-links"], null, _directory.Path, TimeSpan.FromSeconds(90));
        Assert.Equal(4, followed.ExitCode);
        Assert.DoesNotContain("left out link-outside", followed.Stderr, StringComparison.Ordinal);
        ToolResult gotFollowed = await GranaryAsync("get", followed.StdoutText.Trim().Split(' ')[1], "-o", "followed-copy");
        Assert.True(gotFollowed.ExitCode == 0, gotFollowed.Stderr);
        Assert.Equal(AwkwardTree.OutsideText, await File.ReadAllTextAsync(_directory.File("followed-copy/link-outside")));

        // An empty directory is a collection too, and its get creates the target.
        Directory.CreateDirectory(_directory.File("void"));
        ToolResult sentEmpty = await GranaryAsync("send", "void");
        Assert.True(sentEmpty.ExitCode == 0, sentEmpty.Stderr);
        ToolResult gotEmpty = await GranaryAsync("get", sentEmpty.StdoutText.Trim().Split(' ')[1], "-o", "void-copy");
        Assert.True(gotEmpty.ExitCode == 0, gotEmpty.Stderr);
        Assert.True(Directory.Exists(_directory.File("void-copy")));
    }

    [Fact]
    public async Task Get_refuses_to_replace_existing_files_unless_forced_and_a_refusal_writes_nothing()
    {
        await File.WriteAllTextAsync(_directory.File("blob.txt"), "from the silo");
        ToolResult sent = await GranaryAsync("send", "blob.txt");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string ticket = sent.StdoutText.Trim().Split(' ')[1];

        await File.WriteAllTextAsync(_directory.File("mine.txt"), "my data");
        ToolResult refused = await GranaryAsync("get", ticket, "-o", "mine.txt");
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains($"'{_directory.File("mine.txt")}' already exists", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("my data", await File.ReadAllTextAsync(_directory.File("mine.txt")));
        Assert.False(File.Exists(_directory.File("mine.txt.partial")));

        ToolResult forced = await GranaryAsync("get", ticket, "-o", "mine.txt", "--force");
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Equal("from the silo", await File.ReadAllTextAsync(_directory.File("mine.txt")));

        // A 254-byte name is legal: its download must not trip over its own temporary name.
        ToolResult longName = await GranaryAsync("get", ticket, "-o", AwkwardTree.LongName);
        Assert.True(longName.ExitCode == 0, longName.Stderr);
        Assert.Equal("from the silo", await File.ReadAllTextAsync(_directory.File(AwkwardTree.LongName)));
        Assert.Empty(Directory.EnumerateFiles(_directory.Path, "*partial*", new EnumerationOptions { AttributesToSkip = 0 }));

        // A collection into a directory holding one of its files with other content.
        Directory.CreateDirectory(_directory.File("src/sub"));
        await File.WriteAllTextAsync(_directory.File("src/sub/a.txt"), "new");
        await File.WriteAllTextAsync(_directory.File("src/b.txt"), "b");
        ToolResult sentTree = await GranaryAsync("send", "src");
        Assert.True(sentTree.ExitCode == 0, sentTree.Stderr);
        string tree = sentTree.StdoutText.Trim().Split(' ')[1];
        Directory.CreateDirectory(_directory.File("dest/sub"));
        await File.WriteAllTextAsync(_directory.File("dest/sub/a.txt"), "old");
        ToolResult refusedTree = await GranaryAsync("get", tree, "-o", "dest");
        Assert.Equal(4, refusedTree.ExitCode);
        Assert.Contains("sub/a.txt", refusedTree.Stderr, StringComparison.Ordinal);
        Assert.Equal("old", await File.ReadAllTextAsync(_directory.File("dest/sub/a.txt")));
        Assert.False(File.Exists(_directory.File("dest/b.txt")));

        ToolResult forcedTree = await GranaryAsync("get", tree, "-o", "dest", "--force");
        Assert.True(forcedTree.ExitCode == 0, forcedTree.Stderr);
        Assert.Equal("new", await File.ReadAllTextAsync(_directory.File("dest/sub/a.txt")));
        Assert.Equal("b", await File.ReadAllTextAsync(_directory.File("dest/b.txt")));

        // Run again without --force: every file is identical now, so nothing would be lost.
        ToolResult again = await GranaryAsync("get", tree, "-o", "dest");
        Assert.True(again.ExitCode == 0, again.Stderr);
    }

    [Fact]
    public async Task Errors_are_clear_and_have_their_exit_codes()
    {
        ToolResult missing = await GranaryAsync("info", new string('a', 64));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("404", missing.Stderr, StringComparison.Ordinal);

        await File.WriteAllTextAsync(_directory.File("bad.token"), "nope");
        ToolResult refused = await GranaryAsync("info", new string('a', 64), "--token-file", "bad.token");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("refused the token", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("the token came from --token-file bad.token", refused.Stderr, StringComparison.Ordinal);

        ToolResult badTicket = await GranaryAsync("get", "granary:nonsense", "-o", "x");
        Assert.Equal(2, badTicket.ExitCode);
        Assert.Contains("not a blob ticket", badTicket.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("Run 'granary get --help' for usage.", badTicket.Stderr.TrimEnd(), StringComparison.Ordinal);

        // A BLOB that is neither: both forms are named (info takes a bare hash, not only a ticket).
        ToolResult neither = await GranaryAsync("info", "1234");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("'1234' is neither a blob hash (64 hex digits) nor a blob ticket", neither.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("Run 'granary info --help' for usage.", neither.Stderr.TrimEnd(), StringComparison.Ordinal);

        // A refusal by the silo is not a command-line mistake: no pointer to the help.
        Assert.DoesNotContain("--help", missing.Stderr, StringComparison.Ordinal);

        ToolResult badTtl = await GranaryAsync("send", "bad.token", "--ttl", "soon");
        Assert.Equal(2, badTtl.ExitCode);
        Assert.Contains("not a duration", badTtl.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_killed_at_random_points_resumes_to_the_right_bytes()
    {
        var random = TestRandom.For(nameof(A_download_killed_at_random_points_resumes_to_the_right_bytes));
        byte[] data = TestRandom.Bytes(random, 96 << 20);
        await File.WriteAllBytesAsync(_directory.File("big.bin"), data);
        ToolResult sent = await GranaryAsync("send", "big.bin");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string ticket = sent.StdoutText.Trim().Split(' ')[1];

        int interrupted = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            ProcessStartInfo start = GranaryProcess.StartInfo(["get", ticket, "-o", "copy.bin"], _directory.Path);

            using var get = Process.Start(start)!;
            // Kill at a random point after the download has begun (its .partial exists): a fixed delay
            // from the process's start landed before the download on a loaded machine, three times in a row.
            var begun = Stopwatch.StartNew();
            while (!File.Exists(_directory.File("copy.bin.partial")) && !get.HasExited && begun.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }

            await Task.Delay(random.Next(0, 400));
            get.Kill(entireProcessTree: true);
            await get.WaitForExitAsync();
            interrupted += File.Exists(_directory.File("copy.bin.partial")) ? 1 : 0;

            // A kill that landed after the download finished leaves a whole copy.bin, which the next
            // get would rightly refuse to replace: this test is about interrupted downloads.
            File.Delete(_directory.File("copy.bin"));
        }

        ToolResult finish = await GranaryAsync("get", ticket, "-o", "copy.bin");
        Assert.True(finish.ExitCode == 0, finish.Stderr);
        byte[] copy = await File.ReadAllBytesAsync(_directory.File("copy.bin"));
        Assert.True(data.AsSpan().SequenceEqual(copy), "the resumed copy differs");
        Assert.False(File.Exists(_directory.File("copy.bin.partial")));
        Assert.True(interrupted > 0, $"no kill landed during a download {TestRandom.Replay}");
    }

    [Fact]
    public async Task A_download_stopped_with_ctrl_c_says_so_in_one_line_exits_130_and_resumes()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(A_download_stopped_with_ctrl_c_says_so_in_one_line_exits_130_and_resumes)), 96 << 20);
        await File.WriteAllBytesAsync(_directory.File("big.bin"), data);
        ToolResult sent = await GranaryAsync("send", "big.bin");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
        string ticket = sent.StdoutText.Trim().Split(' ')[1];

        bool stopped = false;
        for (int attempt = 0; attempt < 5 && !stopped; attempt++)
        {
            File.Delete(_directory.File("copy.bin"));
            ProcessStartInfo start = GranaryProcess.StartInfo(["get", ticket, "-o", "copy.bin"], _directory.Path);

            using var get = Process.Start(start)!;
            Task<string> stderr = get.StandardError.ReadToEndAsync();
            while (!get.HasExited && !File.Exists(_directory.File("copy.bin.partial")))
            {
                await Task.Delay(10);
            }

            if (!get.HasExited)
            {
                UnixSignal.Send(get.Id, UnixSignal.Interrupt);
            }

            await get.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            string error = await stderr;
            if (get.ExitCode == 0)
            {
                continue; // It finished before the signal arrived: try again.
            }

            Assert.True(get.ExitCode == 130, $"exit {get.ExitCode}: {error}");
            Assert.Contains("granary: stopped before it finished", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
            stopped = true;
        }

        Assert.True(stopped, "every download finished before Ctrl-C reached it");
        ToolResult finish = await GranaryAsync("get", ticket, "-o", "copy.bin");
        Assert.True(finish.ExitCode == 0, finish.Stderr);
        byte[] copy = await File.ReadAllBytesAsync(_directory.File("copy.bin"));
        Assert.True(data.AsSpan().SequenceEqual(copy), "the resumed copy differs");
    }
}
