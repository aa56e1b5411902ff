using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Grains.Blobs;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Testing;

namespace Granary.Cluster.Tests;

/// <summary>What a user of a healthy cluster sees: any silo serves any blob; delete, extend and status are cluster-wide.</summary>
public sealed class ClusterBlobTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Five_silos_agree_where_every_blob_lives_any_of_them_serves_it_and_uploads_go_where_they_belong()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 5);
        var hashes = await FailoverTests.UploadAsync(cluster, cluster.Silos[0], 30, nameof(Five_silos_agree_where_every_blob_lives_any_of_them_serves_it_and_uploads_go_where_they_belong));

        // Every silo answers with the same two holders for every blob, and the blobs are spread out.
        var views = new List<Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>>>();
        foreach (SiloProcess silo in cluster.Silos)
        {
            views.Add(await cluster.LocateAllAsync(hashes, silo));
        }

        foreach (Blake3Hash hash in hashes)
        {
            var first = views[0][hash].Select(t => t.Node).OrderBy(n => n.ToString()).ToList();
            Assert.Equal(2, first.Count);
            Assert.All(views, v => Assert.Equal(first, v[hash].Select(t => t.Node).OrderBy(n => n.ToString()).ToList()));
        }

        ClusterStatus status = await cluster.StatusAsync(cluster.Silos[3]);
        Assert.Equal(5, status.Silos.Count(s => s.Status == "Active"));
        Assert.Equal(60, status.Silos.Sum(s => s.Blobs)); // 30 blobs x 2 copies, no strays
        Assert.True(status.Silos.Count(s => s.Blobs > 0) >= 4, "placement spreads blobs over the silos");

        // A silo that does not hold a blob redirects a plain GET to the silos that do ...
        Blake3Hash elsewhere = hashes.First(h => views[0][h].All(p => p.Node != cluster.Silos[0].Ticket.Node));
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        {
            var redirect = await Assert.ThrowsAsync<BlobProtocolException>(() => client.GetToStreamAsync(elsewhere, new MemoryStream()));
            Assert.Equal(BlobStatus.Redirect, redirect.Status);
            Assert.Contains("ask granary:", redirect.Message, StringComparison.Ordinal);
        }

        // ... and 'granary get' through it fetches from the replicas, verified.
        using var downloads = new TempDirectory();
        ToolResult get = await SiloProcess.CliAsync(["get", elsewhere.ToString(), "--silo", cluster.Silos[0].Ticket.ToString(), "-o", downloads.File("blob"), "--token-file", TokenFile(cluster)]);
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal(elsewhere, Blake3.Hash(await File.ReadAllBytesAsync(downloads.File("blob"))));

        // An upload that declares its hash and asks to be placed is answered before a byte moves:
        // 307 naming the blob's two targets when silo 0 is not one of them. BlobUploader (send, Send-Blob)
        // follows it, so the blob lands where it stays and the cluster copies it once, to its other
        // target; sent to silo 0 and copied it would be copied twice and dropped there (issue 17).
        var placed = new List<Blake3Hash>();
        var sizes = new Dictionary<Blake3Hash, int>();
        int redirected = 0;
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        await using (var uploader = new BlobUploader(client, (silo, cancel) => BlobClient.ConnectAsync(silo, cluster.Token, cancel)))
        {
            Assert.True(client.PlacesUploads, "5 silos with R=2: an upload sent to one may belong elsewhere, and auth says so");
            Random random = TestRandom.For("placed uploads");
            for (int i = 0; i < 16; i++)
            {
                byte[] data = TestRandom.Bytes(random, random.Next(1, 300_000));
                Blake3Hash hash = Blake3.Hash(data);
                var source = new MemoryStream(data);
                try
                {
                    Assert.Equal(hash, (await client.PutAsync(new PutRequest(data.Length, Hash: hash) { Place = true }, source, null, default)).Hash);
                }
                catch (BlobProtocolException redirect) when (redirect.Status == BlobStatus.Redirect)
                {
                    redirected++;
                    Assert.Equal(0, source.Position);
                    Assert.Equal(2, redirect.Providers.Count);
                    Assert.DoesNotContain(cluster.Silos[0].Ticket.Node, redirect.Providers.Select(p => p.Node));
                    Assert.Equal(hash, (await uploader.PutAsync(new MemoryStream(data), data.Length)).Hash);
                }

                placed.Add(hash);
                sizes[hash] = data.Length;
            }
        }

        // 16 blobs, each of silo 0's with probability 2/5: all 16 its own has odds of 4e-7.
        Assert.True(redirected > 0, "no upload was redirected");
        Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>> placedCopies = await cluster.LocateAllAsync(placed);
        Assert.All(placedCopies.Values, holders => Assert.Equal(2, holders.Count));
        await cluster.CheckCopiesAsync(
            placedCopies.SelectMany(entry => entry.Value.Select(holder => (entry.Key, holder))),
            (hash, _, data) => Assert.Equal(hash, Blake3.Hash(data)));

        // A blob of at most 64 KiB reaches its second holder inside the grain call that registers it
        // (the copy stores the bytes sent along, verified); a larger one is fetched over QUIC.
        string copyLogs = string.Concat(cluster.Silos.Select(s => s.Log));
        Assert.Contains(sizes.Values, size => size <= BlobClusterOptions.DefaultInlineCopyLimit);
        Assert.Contains(sizes.Values, size => size > BlobClusterOptions.DefaultInlineCopyLimit);
        foreach ((Blake3Hash hash, int size) in sizes)
        {
            bool small = size <= BlobClusterOptions.DefaultInlineCopyLimit;
            Assert.True(CountOf(copyLogs, $"Stored {hash}: {size} bytes sent along") == (small ? 1 : 0), $"{hash} ({size} bytes): sent along {CountOf(copyLogs, $"Stored {hash}")} times");
            Assert.True(CountOf(copyLogs, $"Fetched {hash}: ") == (small ? 0 : 1), $"{hash} ({size} bytes): fetched {CountOf(copyLogs, $"Fetched {hash}: ")} times");
        }

        // 'granary send DIR' places each file and the collection the same way, and the tree comes back whole.
        using var tree = new TempDirectory();
        Directory.CreateDirectory(tree.File("d/sub"));
        for (int i = 0; i < 6; i++)
        {
            await File.WriteAllBytesAsync(tree.File(i % 2 == 0 ? $"d/f{i}" : $"d/sub/f{i}"), TestRandom.Bytes(TestRandom.For($"tree file {i}"), 1000 + (i * 40_000)));
        }

        ToolResult send = await SiloProcess.CliAsync(["send", tree.File("d"), "--to", cluster.Silos[0].Ticket.ToString(), "--token-file", TokenFile(cluster)]);
        Assert.True(send.ExitCode == 0, send.Stderr);
        Blake3Hash collection = Blake3Hash.Parse(send.StdoutText.Split(' ')[0]);
        ToolResult fetched = await SiloProcess.CliAsync(["get", collection.ToString(), "--silo", cluster.Silos[0].Ticket.ToString(), "-o", downloads.File("tree"), "--token-file", TokenFile(cluster)]);
        Assert.True(fetched.ExitCode == 0, fetched.Stderr);
        var sent = Directory.GetFiles(tree.File("d"), "*", SearchOption.AllDirectories).Select(f => (Path.GetRelativePath(tree.File("d"), f), Blake3.Hash(File.ReadAllBytes(f)))).Order().ToList();
        var received = Directory.GetFiles(downloads.File("tree"), "*", SearchOption.AllDirectories).Select(f => (Path.GetRelativePath(downloads.File("tree"), f), Blake3.Hash(File.ReadAllBytes(f)))).Order().ToList();
        Assert.Equal(sent, received);
        placed.Add(collection);
        placed.AddRange(sent.Select(f => f.Item2));

        // Each copy is logged by the blob's grain before the upload is acknowledged.
        string logs = string.Concat(cluster.Silos.Select(s => s.Log));
        Assert.All(placed, hash => Assert.Equal(1, CountOf(logs, $"Blob {hash}: copy made on")));

        // A blob whose first target stops answering (frozen, not yet declared dead) still goes up:
        // the uploader gives that target up after its connect timeout and sends to the next one.
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        {
            Random random = TestRandom.For("first target frozen");
            (byte[] Data, SiloProcess First)? pick = null;
            for (int i = 0; i < 200 && pick is null; i++)
            {
                byte[] data = TestRandom.Bytes(random, 50_000);
                try
                {
                    await client.PutAsync(new PutRequest(data.Length, Hash: Blake3.Hash(data)) { Place = true }, new MemoryStream(data), null, default);
                }
                catch (BlobProtocolException redirect) when (redirect.Status == BlobStatus.Redirect)
                {
                    pick = (data, cluster.Silos.Single(s => s.Ticket.Node == redirect.Providers[0].Node));
                }
            }

            Assert.NotNull(pick);
            (byte[] frozenData, SiloProcess frozen) = pick.Value;
            await using var uploader = new BlobUploader(client, (silo, cancel) => BlobClient.ConnectAsync(silo, cluster.Token, cancel));
            frozen.Freeze();
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                Assert.Equal(Blake3.Hash(frozenData), (await uploader.PutAsync(new MemoryStream(frozenData), frozenData.Length)).Hash);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the upload took {clock.Elapsed}");
                await FailoverTests.AssertEveryBlobOnTwoServingSilosAsync(cluster, [Blake3.Hash(frozenData)], TimeSpan.FromSeconds(60), exclude: frozen);
            }
            finally
            {
                frozen.Thaw();
            }
        }
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task Delete_and_extend_apply_on_every_replica_and_the_cli_shows_the_cluster()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        var hashes = await FailoverTests.UploadAsync(cluster, cluster.Silos[0], 4, nameof(Delete_and_extend_apply_on_every_replica_and_the_cli_shows_the_cluster));
        var located = await cluster.LocateAllAsync(hashes);

        // Extend through a silo that may not hold it: both replicas keep it longer.
        Blake3Hash extended = hashes[0];
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[2]))
        {
            BlobInfo info = await client.ExtendAsync(extended, TimeSpan.FromDays(20));
            Assert.True(info.Expires > DateTimeOffset.UtcNow.AddDays(19));
        }

        foreach (SiloTicket replica in located[extended])
        {
            await using BlobClient direct = await BlobClient.ConnectAsync(replica, cluster.Token);
            Assert.True((await direct.InfoAsync(extended)).Expires > DateTimeOffset.UtcNow.AddDays(19), $"replica {replica.Node} was not extended");
        }

        // Delete through one silo: gone from every replica and from the cluster's records.
        Blake3Hash deleted = hashes[1];
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[1]))
        {
            await client.DeleteAsync(deleted);
        }

        foreach (SiloProcess silo in cluster.Silos)
        {
            await using BlobClient direct = await cluster.ConnectAsync(silo);
            var missing = await Assert.ThrowsAsync<BlobProtocolException>(() => direct.GetToStreamAsync(deleted, new MemoryStream()));
            Assert.Equal(BlobStatus.NotFound, missing.Status);
        }

        ClusterStatus status = await cluster.StatusAsync();
        Assert.Equal(6, status.Silos.Sum(s => s.Blobs)); // 3 remaining blobs x 2

        ToolResult cli = await SiloProcess.CliAsync(["cluster", "status", "--silo", cluster.Silos[0].Ticket.ToString(), "--token-file", TokenFile(cluster)]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains("3 serving silos, 2 copies per blob", cli.StdoutText, StringComparison.Ordinal);
        Assert.All(cluster.Silos, s => Assert.Contains(s.Ticket.Node.ToString(), cli.StdoutText, StringComparison.Ordinal));

        ToolResult badDrain = await SiloProcess.CliAsync(["cluster", "drain", "not-a-node", "--silo", cluster.Silos[0].Ticket.ToString(), "--token-file", TokenFile(cluster)]);
        Assert.Equal(2, badDrain.ExitCode);
        Assert.Contains("is not a node id", badDrain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_started_against_an_unreachable_database_exits_with_a_clear_error()
    {
        using var data = new TempDirectory();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Path, "Host=127.0.0.1;Port=1;Username=x;Database=y;Timeout=2"));
        Assert.Contains("exit 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("The silo cannot run", error.Message, StringComparison.Ordinal);
    }

    private static string TokenFile(TestCluster cluster) => Path.Combine(cluster.Silos[0].DataDirectory, "admin.token");
}
