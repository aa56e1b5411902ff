using Granary.Blobs.Client;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>
/// Issue 14 between two real clusters (separate PostgreSQL databases, separate tokens and grant
/// keys): a collection pulled from one into the other arrives whole, verified, with R copies in
/// the receiving cluster, and the grant one silo of a cluster issued is honoured by its other silo.
/// </summary>
public sealed class TransferBetweenClustersTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_collection_pulled_from_another_cluster_arrives_verified_with_R_copies_and_a_grant_from_either_silo_works()
    {
        await using TestCluster source = await TestCluster.StartAsync(postgres.Server, 2);
        await using TestCluster target = await TestCluster.StartAsync(postgres.Server, 2);
        Assert.NotEqual(source.Token, target.Token);
        try
        {
            using var tree = new TempDirectory();
            var files = new Dictionary<string, byte[]>();
            for (int i = 0; i < 5; i++)
            {
                byte[] data = new byte[(3 << 20) + (i * 7919)];
                new Random(i).NextBytes(data);
                string name = Path.Combine(i % 2 == 0 ? "a" : "b", $"file{i}.bin");
                Directory.CreateDirectory(Path.Combine(tree.Path, Path.GetDirectoryName(name)!));
                await File.WriteAllBytesAsync(Path.Combine(tree.Path, name), data);
                files[name] = data;
            }

            DirectoryUpload upload;
            await using (BlobClient client = await source.ConnectAsync(source.Silos[0]))
            {
                upload = await client.PutDirectoryAsync(tree.Path);
            }

            // The grant comes from the source cluster's second silo: the cluster has one grant key.
            SiloProcess initiator = target.Silos[0];
            Voucher grant;
            await using (TransferClient issuer = await TransferClient.ConnectAsync(source.Silos[1].Ticket, source.Token))
            {
                grant = await issuer.IssueGrantAsync(initiator.Ticket.Node, TransferDirection.Pull, [upload.Collection.Hash], 1L << 30, DateTimeOffset.UtcNow.AddHours(1));
            }

            await using TransferClient transfers = await TransferClient.ConnectAsync(initiator.Ticket, target.Token);
            ChannelReport started = await transfers.StartAsync(TransferDirection.Pull, [source.Silos[0].Ticket, source.Silos[1].Ticket], upload.Collection.Hash, grant);
            long expected = upload.Collection.Size + files.Values.Sum(f => (long)f.Length);
            Assert.Equal(expected, started.Terms.Size);
            ChannelReport done = await WaitFinalAsync(transfers, started.Ref);
            Assert.Equal((ChannelStatus.Completed, expected), (done.State.Status, done.State.Received));

            // Every member, through the target cluster's other silo, is the file's bytes; each blob has R = 2 copies.
            await using BlobClient other = await target.ConnectAsync(target.Silos[1]);
            foreach (CollectionEntry entry in upload.Entries.Entries)
            {
                using var bytes = new MemoryStream();
                await other.GetToStreamAsync(entry.Hash, bytes);
                Assert.Equal(files[entry.Path.Replace('/', Path.DirectorySeparatorChar)], bytes.ToArray());
                Assert.Equal(2, (await target.LocateAsync(entry.Hash)).Count);
            }

            Assert.Equal(2, (await target.LocateAsync(upload.Collection.Hash)).Count);
        }
        catch
        {
            foreach (SiloProcess silo in source.Silos.Concat(target.Silos))
            {
                output.WriteLine(silo.Log);
            }

            throw;
        }
    }

    [Fact]
    public async Task A_collection_pulled_from_a_silo_that_lacks_some_of_its_files_arrives_whole()
    {
        // Three silos with R = 2: each file of a directory lives on the two silos its own hash
        // places it on, so a silo holding the collection lacks about a third of the files.
        await using TestCluster source = await TestCluster.StartAsync(postgres.Server, 3);
        await using TestCluster target = await TestCluster.StartAsync(postgres.Server, 1);
        try
        {
            using var tree = new TempDirectory();
            var files = new Dictionary<string, byte[]>();
            for (int i = 0; i < 12; i++)
            {
                byte[] data = TestRandom.Bytes(TestRandom.For($"scattered {i}"), 20_000 + (i * 15_000));
                await File.WriteAllBytesAsync(tree.File($"f{i}"), data);
                files[$"f{i}"] = data;
            }

            DirectoryUpload upload;
            await using (BlobClient client = await source.ConnectAsync(source.Silos[0]))
            {
                upload = await client.PutDirectoryAsync(tree.Path);
            }

            // The responder: a silo with the collection and without some of its files.
            Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>> holders = await source.LocateAllAsync([.. upload.Entries.Entries.Select(e => e.Hash)]);
            IReadOnlyList<SiloTicket> collectionHolders = await source.LocateAsync(upload.Collection.Hash);
            SiloProcess responder = source.Silos.First(s =>
                collectionHolders.Any(t => t.Node == s.Ticket.Node) && holders.Values.Any(h => h.All(t => t.Node != s.Ticket.Node)));
            var lacking = holders.Where(h => h.Value.All(t => t.Node != responder.Ticket.Node)).Select(h => h.Key).ToList();
            Assert.NotEmpty(lacking);

            SiloProcess initiator = target.Silos[0];
            Voucher grant;
            await using (TransferClient issuer = await TransferClient.ConnectAsync(responder.Ticket, source.Token))
            {
                grant = await issuer.IssueGrantAsync(initiator.Ticket.Node, TransferDirection.Pull, [upload.Collection.Hash], 1L << 30, DateTimeOffset.UtcNow.AddHours(1));
            }

            await using TransferClient transfers = await TransferClient.ConnectAsync(initiator.Ticket, target.Token);
            ChannelReport started = await transfers.StartAsync(TransferDirection.Pull, [responder.Ticket], upload.Collection.Hash, grant);
            long expected = upload.Collection.Size + files.Values.Sum(f => (long)f.Length);
            Assert.Equal(expected, started.Terms.Size);
            ChannelReport done = await WaitFinalAsync(transfers, started.Ref);
            Assert.Equal((ChannelStatus.Completed, expected), (done.State.Status, done.State.Received));

            await using BlobClient check = await target.ConnectAsync(initiator);
            foreach (CollectionEntry entry in upload.Entries.Entries)
            {
                using var bytes = new MemoryStream();
                await check.GetToStreamAsync(entry.Hash, bytes);
                Assert.Equal(files[entry.Path], bytes.ToArray());
            }

            // The responder fetched what it lacked from its cluster (verified) when the receiver asked for it.
            Assert.All(lacking, hash => Assert.Contains($"Fetched {hash}: ", responder.Log, StringComparison.Ordinal));
        }
        catch
        {
            foreach (SiloProcess silo in source.Silos.Concat(target.Silos))
            {
                output.WriteLine(silo.Log);
            }

            throw;
        }
    }

    [Fact]
    public async Task When_the_responding_silo_dies_mid_pull_the_channel_restarts_on_another_silo_of_its_cluster()
    {
        await using TestCluster source = await TestCluster.StartAsync(postgres.Server, 2);
        await using TestCluster target = await TestCluster.StartAsync(postgres.Server, 1);
        try
        {
            const int Size = 256 << 20;
            byte[] data = new byte[Size];
            new Random(31).NextBytes(data);
            Blake3Hash hash;
            await using (BlobClient client = await source.ConnectAsync(source.Silos[0]))
            {
                using var stream = new MemoryStream(data);
                hash = (await client.PutAsync(stream, Size)).Hash;
            }

            SiloProcess initiator = target.Silos[0];
            await using TransferClient transfers = await TransferClient.ConnectAsync(initiator.Ticket, target.Token);
            Voucher grant;
            await using (TransferClient issuer = await TransferClient.ConnectAsync(source.Silos[0].Ticket, source.Token))
            {
                grant = await issuer.IssueGrantAsync(initiator.Ticket.Node, TransferDirection.Pull, [hash], Size, DateTimeOffset.UtcNow.AddHours(1));
            }

            ChannelReport started = await transfers.StartAsync(TransferDirection.Pull, [source.Silos[0].Ticket, source.Silos[1].Ticket], hash, grant);
            DateTime end = DateTime.UtcNow.AddSeconds(60);
            while ((await transfers.ShowAsync(started.Ref)).State.Received < 16 << 20 && DateTime.UtcNow < end)
            {
                await Task.Delay(20);
            }

            // The silo the channel was opened with dies for good; its cluster keeps the channel's
            // state (grain storage) and a second copy of the blob.
            source.Silos[0].Kill();
            ChannelReport done = await WaitFinalAsync(transfers, started.Ref);
            Assert.Equal((ChannelStatus.Completed, (long)Size), (done.State.Status, done.State.Received));
            await using BlobClient check = await target.ConnectAsync(initiator);
            using var bytes = new MemoryStream();
            await check.GetToStreamAsync(hash, bytes);
            Assert.True(data.AsSpan().SequenceEqual(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)));

            await using TransferClient survivor = await TransferClient.ConnectAsync(source.Silos[1].Ticket, source.Token);
            ChannelReport there = await survivor.ShowAsync(new ChannelRef(started.Ref.TransferId, initiator.Ticket.Node));
            Assert.Equal(ChannelStatus.Completed, there.State.Status);
        }
        catch
        {
            foreach (SiloProcess silo in source.Silos.Concat(target.Silos))
            {
                output.WriteLine(silo.Log);
            }

            throw;
        }
    }

    private static async Task<ChannelReport> WaitFinalAsync(TransferClient client, ChannelRef channel)
    {
        DateTime end = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            ChannelReport report = await client.ShowAsync(channel);
            if (report.State.IsFinal || DateTime.UtcNow > end)
            {
                return report;
            }

            await Task.Delay(50);
        }
    }
}
