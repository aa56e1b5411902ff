using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Storage.Blobs;
using Granary.Testing;

namespace Granary.Blobs.Tests;

public sealed class LargeBlobTests
{
    [Fact]
    public async Task One_GiB_round_trips_through_a_silo_and_b3sum_agrees_on_both_files()
    {
        string b3sum = ExternalTool.Require("b3sum", "./build.sh installs it (Debian package b3sum).");
        using var directory = new TempDirectory();
        string source = directory.File("1g.bin");
        var random = TestRandom.For(nameof(One_GiB_round_trips_through_a_silo_and_b3sum_agrees_on_both_files));
        await using (var file = File.Create(source))
        {
            byte[] piece = new byte[1 << 20];
            for (int i = 0; i < 1024; i++)
            {
                random.NextBytes(piece);
                await file.WriteAsync(piece);
            }
        }

        await using TestSilo silo = await TestSilo.StartAsync(maxBlobSize: 2L << 30);
        await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token);
        BlobInfo stored = await client.PutFileAsync(source);
        Assert.Equal(1L << 30, stored.Size);
        string copy = directory.File("copy.bin");
        await BlobDownload.ToFileAsync(client, stored.Hash, copy);

        ToolResult sums = await ExternalTool.RunAsync(b3sum, ["--no-names", source, copy]);
        string[] lines = sums.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([stored.Hash.ToString(), stored.Hash.ToString()], lines);
    }
}
