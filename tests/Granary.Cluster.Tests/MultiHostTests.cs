using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// The cluster across real network boundaries: every silo and PostgreSQL on its own host (a network
/// namespace with its own address, see <see cref="NetworkLab"/>), faults made of dropped packets and
/// shaped links. Nothing acknowledged may be lost.
/// </summary>
public sealed class MultiHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_partitioned_silo_is_declared_dead_the_majority_keeps_taking_uploads_and_after_healing_nothing_acknowledged_is_lost()
    {
        await using NetworkLab lab = await NetworkLab.CreateAsync("db", "s1", "s2", "s3");
        await using PostgresServer postgres = await PostgresServer.StartAsync(lab, "db");
        await using TestCluster cluster = await TestCluster.StartInLabAsync(postgres, lab, ["s1", "s2", "s3"]);
        SiloProcess minority = cluster.Silos[2];

        var acknowledged = new ConcurrentDictionary<Blake3Hash, byte[]>();
        long refused = 0;
        using var stopUploads = new CancellationTokenSource();
        Random random = TestRandom.For(nameof(A_partitioned_silo_is_declared_dead_the_majority_keeps_taking_uploads_and_after_healing_nothing_acknowledged_is_lost));
        Task uploading = Task.Run(async () =>
        {
            for (int i = 0; !stopUploads.IsCancellationRequested; i++)
            {
                byte[] data = TestRandom.Bytes(random, random.Next(1, 400_000));
                try
                {
                    // Through the majority only: a client of the cut-off silo is not what this tests.
                    await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[i % 2]);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    BlobInfo stored = await client.PutAsync(new MemoryStream(data), data.Length, cancellationToken: timeout.Token);
                    acknowledged[stored.Hash] = data;
                }
                catch (Exception error) when (error is BlobProtocolException or Granary.Transport.QuicException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref refused); // not acknowledged: the client would retry
                }
            }
        });

        await cluster.WaitForAsync(() => Task.FromResult(acknowledged.Count >= 10), "10 uploads before the partition");
        int beforePartition = acknowledged.Count;
        var clock = Stopwatch.StartNew();
        await lab.PartitionAsync("s3", "s1", "s2", "db");
        await cluster.WaitForAsync(() => cluster.DeclaredDeadAsync(minority), "the cut-off silo is declared dead", TimeSpan.FromSeconds(60));
        TimeSpan declared = clock.Elapsed;
        int atDeclared = acknowledged.Count;
        await cluster.WaitForAsync(() => Task.FromResult(acknowledged.Count >= atDeclared + 10), "10 more uploads to the majority while the partition lasts");
        output.WriteLine($"declared dead after {declared.TotalSeconds:0.0} s; {beforePartition} acknowledged before the partition, {acknowledged.Count - beforePartition} during it, {refused} refused");

        await lab.HealAsync("s3");
        // Back on the network it reads that it was declared dead, and stops itself (exit code 3).
        await minority.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, minority.ExitCode);
        await stopUploads.CancelAsync();
        await uploading;

        await AssertNothingAcknowledgedLostAsync(cluster, acknowledged);
    }

    [Fact]
    public async Task A_silo_cut_off_from_the_database_only_loses_nothing_acknowledged()
    {
        await using NetworkLab lab = await NetworkLab.CreateAsync("db", "s1", "s2", "s3");
        await using PostgresServer postgres = await PostgresServer.StartAsync(lab, "db");
        await using TestCluster cluster = await TestCluster.StartInLabAsync(postgres, lab, ["s1", "s2", "s3"]);
        var acknowledged = new ConcurrentDictionary<Blake3Hash, byte[]>();
        var perSilo = new long[3];
        long refused = 0;
        using var stopUploads = new CancellationTokenSource();
        // One client per silo, all at once: the cut-off silo still takes clients, and must acknowledge nothing it cannot record.
        Task uploading = Task.WhenAll(Enumerable.Range(0, 3).Select(s => Task.Run(async () =>
        {
            var random = new Random(s);
            while (!stopUploads.IsCancellationRequested)
            {
                byte[] data = TestRandom.Bytes(random, random.Next(1, 300_000));
                try
                {
                    await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[s]);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    BlobInfo stored = await client.PutAsync(new MemoryStream(data), data.Length, cancellationToken: timeout.Token);
                    acknowledged[stored.Hash] = data;
                    Interlocked.Increment(ref perSilo[s]);
                }
                catch (Exception error) when (error is BlobProtocolException or Granary.Transport.QuicException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));

        await cluster.WaitForAsync(() => Task.FromResult(acknowledged.Count >= 10), "10 uploads before the partition");
        int before = acknowledged.Count;
        long[] majorityBefore = [perSilo[0], perSilo[1]];
        await lab.PartitionAsync("s3", "db");
        await Task.Delay(TimeSpan.FromSeconds(15));
        int during = acknowledged.Count - before;
        long majorityDuring = perSilo[0] + perSilo[1] - majorityBefore.Sum();
        await lab.HealAsync("s3");
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stopUploads.CancelAsync();
        await uploading;
        output.WriteLine($"{before} acknowledged before, {during} during the 15 s cut ({majorityDuring} through the other two), {refused} refused; the cut-off silo {(cluster.Silos[2].HasExited ? $"exited with {cluster.Silos[2].ExitCode}" : "kept running")}");
        Assert.True(majorityDuring > 0, "no upload through the silos that reach the database was acknowledged during the cut");

        await AssertNothingAcknowledgedLostAsync(cluster, acknowledged);
    }

    [Fact]
    public async Task A_download_split_across_a_slow_and_a_fast_replica_finishes_with_most_bytes_from_the_fast_one()
    {
        await using NetworkLab lab = await NetworkLab.CreateAsync("db", "fast", "slow");
        await using PostgresServer postgres = await PostgresServer.StartAsync(lab, "db");
        await using TestCluster cluster = await TestCluster.StartInLabAsync(postgres, lab, ["fast", "slow"]);
        byte[] data = TestRandom.Bytes(new Random(16), 40 << 20);
        Blake3Hash hash;
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        {
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        }

        await cluster.WaitForRepairAsync();
        await lab.LimitRateAsync("slow", "40mbit"); // 5 MB/s out of the slow silo; the fast one is unshaped
        using var directory = new TempDirectory();
        string file = directory.File("out.bin");
        var clock = Stopwatch.StartNew();
        ToolResult get = await SiloProcess.CliAsync(
            "get", hash.ToString(), "-o", file, "--silo", cluster.Silos[1].Ticket.ToString(), "--token-file", Path.Combine(cluster.Silos[1].DataDirectory, "admin.token"));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s\n{get.Stderr}");
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal(data, await File.ReadAllBytesAsync(file));

        var bytes = Regex.Matches(get.Stderr, @"granary: (\d+) bytes from (\S+)").ToDictionary(m => m.Groups[2].Value, m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        long fromFast = bytes.GetValueOrDefault(cluster.Silos[0].Ticket.ToString()), fromSlow = bytes.GetValueOrDefault(cluster.Silos[1].Ticket.ToString());
        Assert.Equal(data.Length, fromFast + fromSlow);
        Assert.True(fromFast > data.Length * 0.7, $"{fromFast} bytes from the fast replica and {fromSlow} from the slow one; most should come from the fast one");
    }

    [Fact]
    public async Task While_the_database_is_down_silos_serve_reads_refuse_acknowledged_writes_with_503_and_recover_without_a_restart()
    {
        await using NetworkLab lab = await NetworkLab.CreateAsync("db", "s1", "s2");
        await using PostgresServer postgres = await PostgresServer.StartAsync(lab, "db");
        await using TestCluster cluster = await TestCluster.StartInLabAsync(postgres, lab, ["s1", "s2"]);
        var blobs = new Dictionary<Blake3Hash, byte[]>();
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        {
            for (int i = 0; i < 5; i++)
            {
                byte[] data = TestRandom.Bytes(new Random(i), 100_000 + i);
                blobs[(await client.PutAsync(new MemoryStream(data), data.Length)).Hash] = data;
            }
        }

        await cluster.WaitForRepairAsync();
        await postgres.StopAsync();
        var outage = Stopwatch.StartNew();

        // Reads: every blob from every silo, while the database is away.
        await cluster.CheckCopiesAsync(
            cluster.Silos.SelectMany(silo => blobs.Keys.Select(hash => (hash, silo.Ticket))),
            (hash, _, data) => Assert.Equal(blobs[hash], data));

        // Writes: refused, not acknowledged, with a sentence that says why.
        byte[] late = TestRandom.Bytes(new Random(99), 50_000);
        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[1]))
        {
            var refused = await Assert.ThrowsAsync<BlobProtocolException>(() => client.PutAsync(new MemoryStream(late), late.Length));
            output.WriteLine($"refused after {outage.Elapsed.TotalSeconds:0.0} s: {refused.Status} {refused.Message}");
            Assert.Equal(BlobStatus.Unavailable, refused.Status);
            Assert.Contains("not acknowledged", refused.Message, StringComparison.Ordinal);
            Assert.Contains("the cluster's database did not answer", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused.Message, StringComparison.Ordinal); // words, not a stack trace
        }

        TimeSpan left = TimeSpan.FromSeconds(20) - outage.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        await postgres.StartAgainAsync();
        // The same processes take writes again once they reconnect.
        await cluster.WaitForAsync(async () =>
        {
            await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[1]);
            try
            {
                return (await client.PutAsync(new MemoryStream(late), late.Length)).Size == late.Length;
            }
            catch (BlobProtocolException error) when (error.Status == BlobStatus.Unavailable)
            {
                return false;
            }
        }, "an upload is acknowledged again after the database is back", TimeSpan.FromSeconds(90));
        Assert.All(cluster.Silos, s => Assert.False(s.HasExited, $"a silo exited during the outage:\n{s.Log}"));
        Assert.Equal(2, (await cluster.StatusAsync()).Silos.Count(s => s.Status == "Active"));
    }

    /// <summary>Once repair is done, every acknowledged blob has R = 2 copies, and each copy is the bytes that were sent.</summary>
    private static async Task AssertNothingAcknowledgedLostAsync(TestCluster cluster, IReadOnlyDictionary<Blake3Hash, byte[]> acknowledged)
    {
        await cluster.WaitForRepairAsync(TimeSpan.FromSeconds(120));
        Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>> located = await cluster.LocateAllAsync(acknowledged.Keys);
        foreach ((Blake3Hash hash, IReadOnlyList<SiloTicket> providers) in located)
        {
            Assert.True(providers.Count == 2, $"blob {hash} has {providers.Count} copies after healing, not R = 2");
        }

        await cluster.CheckCopiesAsync(
            located.SelectMany(entry => entry.Value.Select(provider => (entry.Key, provider))),
            (hash, provider, bytes) => Assert.True(acknowledged[hash].AsSpan().SequenceEqual(bytes), $"the copy of blob {hash} on {provider} is not the bytes that were acknowledged"));
    }
}
