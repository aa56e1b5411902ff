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
/// Issue 14's selectors: a channel that names paths within a collection moves the collection blob
/// and the members those paths select, nothing else — both ways, through real silo processes; a
/// path that selects nothing is refused with a sentence that names it, before any data moves.
/// </summary>
public sealed class TransferSelectorTests(ITestOutputHelper output) : TwoPartyTest(output)
{
    [Fact]
    public async Task A_pull_and_a_push_of_chosen_paths_move_only_those_members_and_the_collection()
    {
        (DirectoryUpload atB, Dictionary<string, byte[]> filesAtB) = await SendTreeAsync(B, seed: 10);
        (DirectoryUpload atA, Dictionary<string, byte[]> filesAtA) = await SendTreeAsync(A, seed: 20);
        await using TransferClient a = await A.TransfersAsync();

        // Pull from B: one file by its path and a whole directory.
        string[] pulledPaths = ["logs/b.txt", "data/"];
        ChannelReport pull = await a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, await B.GrantAsync(A, TransferDirection.Pull, atB.Collection.Hash, 1L << 30), paths: pulledPaths);
        string[] pulledFiles = ["logs/b.txt", "data/x.bin", "data/deep/y.bin"];
        long pulledSize = atB.Collection.Size + pulledFiles.Sum(p => (long)filesAtB[p].Length);
        Assert.Equal(pulledSize, pull.Terms.Size);
        Assert.Equal(pulledPaths, pull.State.Paths);
        ChannelReport pulled = await A.WaitAsync(pull.Ref, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal((ChannelStatus.Completed, pulledSize), (pulled.State.Status, pulled.State.Received));
        await AssertHoldsExactlyAsync(A, atB, filesAtB, pulledFiles);

        // Push to B: one file only.
        ChannelReport push = await a.StartAsync(TransferDirection.Push, [B.Ticket], atA.Collection.Hash, await B.GrantAsync(A, TransferDirection.Push, atA.Collection.Hash, 1L << 30), paths: ["logs/a.txt"]);
        ChannelReport pushed = await A.WaitAsync(push.Ref, r => r.State.IsFinal, "final", TimeSpan.FromMinutes(2));
        Assert.Equal((ChannelStatus.Completed, atA.Collection.Size + filesAtA["logs/a.txt"].Length), (pushed.State.Status, pushed.State.Sent));
        await AssertHoldsExactlyAsync(B, atA, filesAtA, ["logs/a.txt"]);

        // The responder's side keeps the same selector.
        ChannelReport there = await B.ShowAsync(new ChannelRef(push.Ref.TransferId, A.Ticket.Node));
        Assert.Equal(["logs/a.txt"], there.State.Paths);
    }

    [Fact]
    public async Task A_path_that_selects_nothing_is_refused_with_its_name_and_nothing_moves()
    {
        (DirectoryUpload atB, _) = await SendTreeAsync(B, seed: 30);
        (DirectoryUpload atA, _) = await SendTreeAsync(A, seed: 40);
        await using TransferClient a = await A.TransfersAsync();

        // A pull: the responder (which holds the collection) refuses; the channel fails at once, with the path named.
        ChannelReport pull = await a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, await B.GrantAsync(A, TransferDirection.Pull, atB.Collection.Hash, 1L << 30), paths: ["logs/b.txt", "nope.txt"]);
        Assert.Equal(ChannelStatus.Failed, pull.State.Status);
        Assert.Contains("no file 'nope.txt'", pull.State.Message, StringComparison.Ordinal);
        Assert.False(await A.HasAsync(atB.Collection.Hash));

        // A voucher that is no good learns nothing about the collection: not whether the path exists, not its size.
        ChannelReport probing = await a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, new Voucher("granary/grant/1", new byte[] { 1 }), paths: ["logs/a.txt"]);
        Assert.Equal((ChannelStatus.Failed, 0L), (probing.State.Status, probing.Terms.Size));

        // Once A holds the collection blob (a pull of one path), a pull naming a missing path still ends Failed, not stuck Failing.
        Voucher grant = await B.GrantAsync(A, TransferDirection.Pull, atB.Collection.Hash, 1L << 30);
        ChannelReport one = await a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, grant, paths: ["logs/a.txt"]);
        Assert.Equal(ChannelStatus.Completed, (await A.WaitAsync(one.Ref, r => r.State.IsFinal, "final")).State.Status);
        ChannelReport again = await a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, grant, paths: ["nope/"]);
        Assert.Equal(ChannelStatus.Failed, again.State.Status);
        Assert.Contains("no file 'nope/' or below it", again.State.Message, StringComparison.Ordinal);

        // A push: this silo holds the collection and refuses before opening anything ("logs" without '/' is not a file).
        var refused = await Assert.ThrowsAsync<BlobProtocolException>(() =>
            a.StartAsync(TransferDirection.Push, [B.Ticket], atA.Collection.Hash, new Voucher("granary/grant/1", new byte[] { 1 }), paths: ["logs"]));
        Assert.Equal(BlobStatus.BadRequest, refused.Status);
        Assert.Contains("'logs' is a directory: name it 'logs/'", refused.Message, StringComparison.Ordinal);

        // Paths that are not paths are refused by the client library before anything is sent.
        var malformed = await Assert.ThrowsAsync<ArgumentException>(() =>
            a.StartAsync(TransferDirection.Pull, [B.Ticket], atB.Collection.Hash, new Voucher("granary/grant/1", new byte[] { 1 }), paths: ["../etc/passwd"]));
        Assert.Contains("'..'", malformed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", malformed.Message, StringComparison.Ordinal);
        Assert.False(await B.HasAsync(atA.Collection.Hash));
    }

    /// <summary>Sends a small tree (two directories, four files of distinct contents) to <paramref name="party"/>.</summary>
    private static async Task<(DirectoryUpload Upload, Dictionary<string, byte[]> Files)> SendTreeAsync(TransferParty party, int seed)
    {
        using var tree = new TempDirectory();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string[] names = ["logs/a.txt", "logs/b.txt", "data/x.bin", "data/deep/y.bin"];
        for (int i = 0; i < names.Length; i++)
        {
            byte[] data = new byte[(1 << 20) + (i * 4099)];
            new Random(seed + i).NextBytes(data);
            string path = Path.Combine(tree.Path, names[i]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, data);
            files[names[i]] = data;
        }

        await using BlobClient client = await BlobClient.ConnectAsync(party.Ticket, party.Token);
        return (await client.PutDirectoryAsync(tree.Path), files);
    }

    /// <summary><paramref name="party"/> holds the collection blob and exactly the <paramref name="chosen"/> files, byte for byte.</summary>
    private static async Task AssertHoldsExactlyAsync(TransferParty party, DirectoryUpload upload, Dictionary<string, byte[]> files, IReadOnlyCollection<string> chosen)
    {
        Assert.Equal(upload.Collection.Hash, await party.HashOfStoredAsync(upload.Collection.Hash));
        foreach (CollectionEntry entry in upload.Entries.Entries)
        {
            if (chosen.Contains(entry.Path))
            {
                Assert.Equal(Blake3.Hash(files[entry.Path]), await party.HashOfStoredAsync(entry.Hash));
            }
            else
            {
                Assert.False(await party.HasAsync(entry.Hash), $"{entry.Path} was not selected but is stored");
            }
        }
    }
}
