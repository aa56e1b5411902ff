using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// Issue 18: a silo that was away (killed, or frozen past its death) while blobs it holds were
/// extended or deleted must, on its return, agree with the cluster's record before it serves or
/// sweeps them — not keep its stale copy of the metadata.
/// </summary>
public sealed class ReturningSiloTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly Dictionary<string, string> Tags = new() { ["project"] = "granary", ["owner"] = "ops" };

    [Fact]
    public async Task A_killed_silo_returns_with_the_extends_deletes_and_upload_info_made_while_it_was_down()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        List<Blake3Hash> hashes = await UploadAsync(cluster, 20, TimeSpan.FromDays(7));
        SiloProcess away = cluster.Silos[2];
        List<Blake3Hash> held = await HeldByAsync(cluster, away, hashes);
        Assert.True(held.Count >= 4, $"silo 3 holds only {held.Count} of 20 blobs");

        // Replicas made by copying carry the uploader and tags too, not just the uploading silo's copy.
        BlobInfo uploaded = await InfoThroughAsync(cluster, cluster.Silos[0], held[0]);
        await AssertLocalRowAsync(cluster, away, held[0], r => Assert.Equal((uploaded.Uploader, uploaded.Tags), (r.Uploader, r.Tags)));

        away.Kill();
        await cluster.WaitForAsync(() => cluster.DeclaredDeadAsync(away), "silo 3 is declared dead");
        List<Blake3Hash> deleted = held.Take(2).ToList();
        List<Blake3Hash> extended = held.Skip(2).ToList();
        DateTimeOffset promised = await ChangeAsync(cluster, extended, deleted);

        SiloProcess back = await cluster.AddSiloAsync(dataDirectory: away.DataDirectory);
        await AssertReconciledAsync(cluster, back, extended, deleted, promised, uploaded);
    }

    [Fact]
    public async Task A_frozen_silo_declared_dead_returns_with_the_changes_made_meanwhile()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        List<Blake3Hash> hashes = await UploadAsync(cluster, 20, TimeSpan.FromDays(7));
        SiloProcess away = cluster.Silos[2];
        List<Blake3Hash> held = await HeldByAsync(cluster, away, hashes);
        Assert.True(held.Count >= 4, $"silo 3 holds only {held.Count} of 20 blobs");
        BlobInfo uploaded = await InfoThroughAsync(cluster, cluster.Silos[0], held[0]);

        away.Freeze();
        await cluster.WaitForAsync(() => cluster.DeclaredDeadAsync(away), "the frozen silo is declared dead");
        List<Blake3Hash> deleted = held.Take(2).ToList();
        List<Blake3Hash> extended = held.Skip(2).ToList();
        DateTimeOffset promised = await ChangeAsync(cluster, extended, deleted);

        // Woken, it reads its own death and stops; started again on its data it reconciles.
        away.Thaw();
        await away.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, away.ExitCode);
        SiloProcess back = await cluster.AddSiloAsync(dataDirectory: away.DataDirectory);
        await AssertReconciledAsync(cluster, back, extended, deleted, promised, uploaded);
    }

    [Fact]
    public async Task A_returning_silo_keeps_a_blob_that_expired_on_its_disk_but_was_extended_in_the_cluster()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        DateTimeOffset uploadedAt = DateTimeOffset.UtcNow;
        List<Blake3Hash> hashes = await UploadAsync(cluster, 12, TimeSpan.FromSeconds(30)); // the shortest TTL a silo takes
        SiloProcess away = cluster.Silos[2];
        List<Blake3Hash> held = await HeldByAsync(cluster, away, hashes);
        Assert.NotEmpty(held);

        away.Kill();
        DateTimeOffset promised = await ChangeAsync(cluster, held, []);

        // Back only after its own copies' expiry has passed: sweeping them now would drop blobs the cluster promised to keep.
        TimeSpan wait = uploadedAt + TimeSpan.FromSeconds(32) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        SiloProcess back = await cluster.AddSiloAsync(dataDirectory: away.DataDirectory);
        await AssertReconciledAsync(cluster, back, held, [], promised, uploaded: null);
    }

    private async Task<List<Blake3Hash>> UploadAsync(TestCluster cluster, int count, TimeSpan ttl)
    {
        Random random = TestRandom.For(nameof(ReturningSiloTests) + count + ttl);
        await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]);
        var hashes = new List<Blake3Hash>();
        for (int i = 0; i < count; i++)
        {
            byte[] data = TestRandom.Bytes(random, random.Next(1, 100_000));
            hashes.Add((await client.PutAsync(new MemoryStream(data), data.Length, ttl, tags: Tags)).Hash);
        }

        return hashes;
    }

    private static async Task<List<Blake3Hash>> HeldByAsync(TestCluster cluster, SiloProcess silo, List<Blake3Hash> hashes)
    {
        Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>> located = await cluster.LocateAllAsync(hashes);
        return [.. hashes.Where(h => located[h].Any(p => p.Node == silo.Ticket.Node))];
    }

    /// <summary>Extends <paramref name="extended"/> by 60 days and deletes <paramref name="deleted"/>, through silo 1; returns the promised expiry.</summary>
    private async Task<DateTimeOffset> ChangeAsync(TestCluster cluster, List<Blake3Hash> extended, List<Blake3Hash> deleted)
    {
        await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]);
        DateTimeOffset promised = DateTimeOffset.UtcNow + TimeSpan.FromDays(60);
        foreach (Blake3Hash hash in extended)
        {
            BlobInfo info = await client.ExtendAsync(hash, TimeSpan.FromDays(60));
            Assert.True(info.Expires >= promised - TimeSpan.FromMinutes(1), $"extend answered {info.Expires:u}");
        }

        foreach (Blake3Hash hash in deleted)
        {
            await client.DeleteAsync(hash);
        }

        output.WriteLine($"while silo 3 was away: {extended.Count} extended to {promised:u}, {deleted.Count} deleted");
        return promised;
    }

    private static async Task AssertReconciledAsync(
        TestCluster cluster, SiloProcess back, List<Blake3Hash> extended, List<Blake3Hash> deleted, DateTimeOffset promised, BlobInfo? uploaded)
    {
        // Its own rows (what GET from it reports) take the cluster's expiry and upload info.
        await cluster.WaitForAsync(async () =>
        {
            foreach (Blake3Hash hash in extended)
            {
                BlobInfo? row = await LocalRowAsync(cluster, back, hash);
                if (row is null || row.Expires < promised - TimeSpan.FromMinutes(1))
                {
                    return false;
                }
            }

            return true;
        }, "the returning silo's copies carry the extended expiry", TimeSpan.FromSeconds(60));

        foreach (Blake3Hash hash in extended)
        {
            // INFO through the returning silo answers with the cluster's record.
            BlobInfo info = await InfoThroughAsync(cluster, back, hash);
            Assert.True(info.Expires >= promised - TimeSpan.FromMinutes(1), $"info through the returning silo says {info.Expires:u}");
            if (uploaded is not null)
            {
                Assert.Equal((uploaded.Uploader, uploaded.Tags), (info.Uploader, info.Tags));
                await AssertLocalRowAsync(cluster, back, hash, r => Assert.Equal((uploaded.Uploader, uploaded.Tags), (r.Uploader, r.Tags)));
            }
        }

        // Deleted blobs do not come back: not in the cluster, not on its disk.
        await cluster.WaitForAsync(async () =>
        {
            foreach (Blake3Hash hash in deleted)
            {
                if (await LocalRowAsync(cluster, back, hash) is not null)
                {
                    return false;
                }
            }

            return true;
        }, "the returning silo dropped the blobs deleted meanwhile", TimeSpan.FromSeconds(60));
        foreach (Blake3Hash hash in deleted)
        {
            await using BlobClient client = await cluster.ConnectAsync(back);
            Assert.Equal(BlobStatus.NotFound, (await Assert.ThrowsAsync<BlobProtocolException>(() => client.LocateAsync(hash))).Status);
            Assert.Equal(BlobStatus.NotFound, (await Assert.ThrowsAsync<BlobProtocolException>(() => client.InfoAsync(hash))).Status);
        }

        Assert.Contains("adopted the cluster's record", back.Log, StringComparison.Ordinal);
    }

    private static async Task<BlobInfo> InfoThroughAsync(TestCluster cluster, SiloProcess silo, Blake3Hash hash)
    {
        await using BlobClient client = await cluster.ConnectAsync(silo);
        return await client.InfoAsync(hash);
    }

    /// <summary>The silo's own row for <paramref name="hash"/>, as its GET reports it; null if it does not serve the blob.</summary>
    private static async Task<BlobInfo?> LocalRowAsync(TestCluster cluster, SiloProcess silo, Blake3Hash hash)
    {
        await using BlobClient client = await cluster.ConnectAsync(silo);
        try
        {
            return await client.GetToStreamAsync(hash, Stream.Null);
        }
        catch (BlobProtocolException error) when (error.Status is BlobStatus.NotFound or BlobStatus.Gone or BlobStatus.Redirect)
        {
            return null;
        }
    }

    private static async Task AssertLocalRowAsync(TestCluster cluster, SiloProcess silo, Blake3Hash hash, Action<BlobInfo> check)
    {
        BlobInfo? row = await LocalRowAsync(cluster, silo, hash);
        Assert.NotNull(row);
        check(row);
    }
}
