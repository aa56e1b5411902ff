using System.Text.RegularExpressions;
using Granary.Blobs.Client;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// Rot on one silo's disk, in a real cluster of silo processes on PostgreSQL: found by the scrub
/// (on demand, and in the background), quarantined, restored from the other replica, and never
/// handed to a client as good data; the metrics endpoint shows it.
/// </summary>
public sealed class ScrubTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Scrub_now_finds_a_flipped_data_byte_and_restores_the_copy_from_the_other_replica()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 2);
        SiloProcess damagedSilo = cluster.Silos[0];
        byte[] data = TestRandom.Bytes(TestRandom.For(nameof(Scrub_now_finds_a_flipped_data_byte_and_restores_the_copy_from_the_other_replica)), 3_000_000);
        byte[] sound = TestRandom.Bytes(new Random(2), 200_000);
        Blake3Hash hash, other;
        await using (BlobClient client = await cluster.ConnectAsync(damagedSilo))
        {
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
            other = (await client.PutAsync(new MemoryStream(sound), sound.Length)).Hash;
        }

        await cluster.WaitForRepairAsync();
        string file = DataFile(damagedSilo, hash);
        Flip(file, 2_500_000);

        // Before any scrub the silo still sends what is on its disk; the client's verification refuses it.
        await Assert.ThrowsAsync<BaoVerificationException>(() => DownloadOnlyFromAsync(damagedSilo, hash));

        ToolResult scrub = await SiloProcess.CliAsync("scrub", "--now", "--silo", damagedSilo.Ticket.ToString(), "--token-file", Path.Combine(damagedSilo.DataDirectory, "admin.token"));
        output.WriteLine(scrub.StdoutText + scrub.Stderr);
        Assert.True(scrub.ExitCode == 0, scrub.Stderr);
        Assert.Contains("2 blobs checked (3200000 bytes): 1 damaged, 1 restored from other replicas", scrub.StdoutText, StringComparison.Ordinal);
        Assert.Contains($"damaged {hash}: its data hashes to", scrub.StdoutText, StringComparison.Ordinal);

        // The bad copy is kept aside for inspection; the silo holds a verified copy again, byte for byte.
        Assert.True(File.Exists(Path.Combine(damagedSilo.DataDirectory, "store", "quarantine", hash + ".data")));
        Assert.Equal(data, await File.ReadAllBytesAsync(DataFile(damagedSilo, hash)));
        Assert.Equal(data, await DownloadOnlyFromAsync(damagedSilo, hash));
        Assert.Equal(sound, await DownloadOnlyFromAsync(damagedSilo, other));
        Assert.Equal(2, (await cluster.LocateAsync(hash)).Count);
    }

    [Fact]
    public async Task The_background_scrub_finds_a_rotten_outboard_restores_it_and_the_metrics_show_it()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 0);
        int port = FreePorts.Tcp();
        string[] scrubFast = ["--scrub-interval", "2s", "--scrub-rate", "64MiB"];
        SiloProcess healthy = await cluster.AddSiloAsync(2, extraArguments: scrubFast);
        SiloProcess rotting = await cluster.AddSiloAsync(2, extraArguments: [.. scrubFast, "--metrics", $"127.0.0.1:{port}"]);
        await cluster.WaitForAsync(async () => (await cluster.StatusAsync()).Silos.Count(s => s.Status == "Active") == 2, "2 active silos");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz/ready", UriKind.Relative)));

        byte[] data = TestRandom.Bytes(new Random(3), 1 << 20);
        Blake3Hash hash;
        await using (BlobClient client = await cluster.ConnectAsync(healthy))
        {
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        }

        await cluster.WaitForRepairAsync();
        // The copy it fetched shows as bytes received over the blobs protocol.
        Assert.Matches(@"granary_quic_io_bytes_total\{[^}]*network_io_direction=""receive""[^}]*network_protocol_name=""granary/blobs/1""[^}]*\} [1-9][0-9]{6,}", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        byte[] goodOutboard = await File.ReadAllBytesAsync(OutboardFile(healthy, hash));
        Flip(OutboardFile(rotting, hash), 100);

        await cluster.WaitForAsync(
            () => Task.FromResult(rotting.Log.Contains($"Scrub: blob {hash} restored from a healthy replica", StringComparison.Ordinal)),
            "the rotting silo's background scrub restored the blob", TimeSpan.FromSeconds(60));
        Assert.Contains("its outboard (hash tree) differs from the one its data makes", rotting.Log, StringComparison.Ordinal);
        Assert.Equal(goodOutboard, await File.ReadAllBytesAsync(OutboardFile(rotting, hash)));
        Assert.Equal(data, await DownloadOnlyFromAsync(rotting, hash));

        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches(@"granary_scrub_blobs_total\{[^}]*granary_outcome=""damaged""[^}]*\} 1\b", metrics);
        Assert.Matches(@"granary_repair_copies_total\{[^}]*granary_outcome=""ok""[^}]*\} [1-9]", metrics);
        // The stored totals are refreshed every 5 s (a scrape never waits on the database).
        await cluster.WaitForAsync(
            async () => Regex.IsMatch(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), @"granary_storage_blobs\{[^}]*\} 1\b"),
            "the metrics count the restored blob", TimeSpan.FromSeconds(15));
    }

    private static string DataFile(SiloProcess silo, Blake3Hash hash) => Path.Combine(silo.DataDirectory, "store", "blobs", hash.ToString()[..2], hash + ".data");

    private static string OutboardFile(SiloProcess silo, Blake3Hash hash) => Path.Combine(silo.DataDirectory, "store", "blobs", hash.ToString()[..2], hash + ".obao");

    private static void Flip(string file, long offset)
    {
        using FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x40));
    }

    /// <summary>From this silo's own copy: a plain GET on it, no redirect followed, verified by the client.</summary>
    private static async Task<byte[]> DownloadOnlyFromAsync(SiloProcess silo, Blake3Hash hash)
    {
        await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, silo.Token);
        return await TestCluster.DownloadAsync(client, hash);
    }
}
