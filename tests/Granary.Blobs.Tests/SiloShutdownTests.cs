using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Blobs.Tests;

/// <summary>
/// A silo that shuts down mid-request says "unavailable, retry" (a stream reset with 503, then a
/// connection close with the router's shutdown code), never a clean end that reads as bad data;
/// the multi-provider downloader moves the work to another replica.
/// </summary>
public sealed class SiloShutdownTests
{
    [Fact]
    public async Task A_download_cut_by_a_shutdown_fails_as_unavailable_not_as_bad_data()
    {
        await using TestSilo silo = await TestSilo.StartAsync();
        await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token);
        byte[] data = TestRandom.Bytes(TestRandom.For("shutdown-get"), 32 << 20);
        Blake3Hash hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;

        var sink = new StopAtBlockSink(10, () => silo.Router.ShutdownAsync(TimeSpan.FromSeconds(10)));
        var error = await Assert.ThrowsAsync<QuicException>(() => client.GetAsync(hash, sink));

        // Never bad data: a transport failure, which means "retry". When the silo's reset or close
        // arrives, it carries the shutdown code; under load the close can be lost and the client
        // then hears a stateless reset from the endpoint that no longer knows it (also "retry").
        Assert.True(SiloUnavailable.IsRetryable(error));
        if (error.Error is QuicError.StreamAborted or QuicError.ConnectionAborted)
        {
            Assert.True(SiloUnavailable.IsShuttingDown(error), $"{error.Error} {error.ApplicationErrorCode}: {error.Message}");
            Assert.Contains("shutting down", SiloUnavailable.Describe(error), StringComparison.Ordinal);
        }
        Assert.True(sink.Blocks < BaoTree.BlockCount(data.Length), "the whole blob arrived before the shutdown: the test proved nothing");
    }

    [Fact]
    public async Task The_multi_provider_downloader_moves_on_when_a_replica_shuts_down()
    {
        await using TestSilo stopping = await TestSilo.StartAsync();
        await using TestSilo staying = await TestSilo.StartAsync();
        await using BlobClient first = await BlobClient.ConnectAsync(stopping.Ticket, TestSilo.Token);
        await using BlobClient second = await BlobClient.ConnectAsync(staying.Ticket, TestSilo.Token);
        byte[] data = TestRandom.Bytes(TestRandom.For("shutdown-split"), 64 << 20);
        Blake3Hash hash = (await first.PutAsync(new MemoryStream(data), data.Length)).Hash;
        Assert.Equal(hash, (await second.PutAsync(new MemoryStream(data), data.Length)).Hash);

        using var directory = new TempDirectory();
        string path = directory.File("copy.bin");
        Task? shutdown = null;
        var progress = new InlineProgress<long>(done =>
        {
            if (done >= 8 << 20 && shutdown is null)
            {
                shutdown = Task.Run(() => stopping.Router.ShutdownAsync(TimeSpan.FromSeconds(10)));
            }
        });

        DownloadReport report = await new Downloader([first, second]).DownloadAsync(hash, path, SplitStrategy.Split, progress);
        await shutdown!;

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Matches("shutting down|cannot reach the silo", report.Failures[stopping.Ticket]);
        Assert.True(report.BytesByProvider[staying.Ticket] > data.Length / 2, "the staying replica should have taken over the rest");
    }

    [Fact]
    public async Task Get_blob_cut_by_a_shutdown_is_a_connection_error_that_says_retry_and_the_retry_resumes()
    {
        await using TestSilo silo = await TestSilo.StartAsync();
        byte[] data = TestRandom.Bytes(TestRandom.For("shutdown-command"), 48 << 20);
        Blake3Hash hash;
        await using (BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, TestSilo.Token))
        {
            hash = (await client.PutAsync(new MemoryStream(data), data.Length)).Hash;
        }

        using var directory = new TempDirectory();
        string target = directory.File("copy.bin");
        var host = new RecordingHost();
        Task? shutdown = null;
        host.OnProgress = p =>
        {
            if (p.Done >= 20 << 20 && shutdown is null)
            {
                shutdown = Task.Run(() => silo.Router.ShutdownAsync(TimeSpan.FromSeconds(10)));
            }
        };
        await using (var session = await GranarySession.ConnectAsync([silo.Ticket.ToString()], TestSilo.Token, host))
        {
            Exception error = await Assert.ThrowsAnyAsync<Exception>(() => new GetBlobCommand { Blobs = [hash.ToString()], Destination = target }.RunAsync(session, host));
            await shutdown!;
            CommandError problem = CommandErrors.From(error, hash.ToString())!;
            Assert.Equal(CommandErrorKind.Unreachable, problem.Kind);
            Assert.Matches("(?i)shutting down|cannot reach the silo", problem.Message);
        }

        Assert.False(File.Exists(target));
        Assert.True(new DownloadCheckpoint(target, hash).ReadRecordedLength(out _) >= 16 << 20, "the verified prefix was not recorded before the shutdown");

        // The silo comes back (a new one with the same blob) and the same command resumes.
        await using TestSilo back = await TestSilo.StartAsync();
        await using (BlobClient client = await BlobClient.ConnectAsync(back.Ticket, TestSilo.Token))
        {
            await client.PutAsync(new MemoryStream(data), data.Length);
        }

        var again = new RecordingHost();
        await using (var session = await GranarySession.ConnectAsync([back.Ticket.ToString()], TestSilo.Token, again))
        {
            await new GetBlobCommand { Blobs = [hash.ToString()], Destination = target }.RunAsync(session, again);
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(target));
        Assert.Empty(again.Warnings);
        Assert.Contains(again.VerboseMessages, m => m.StartsWith("Resumed", StringComparison.Ordinal));
    }

    /// <summary>Counts blocks; at block <c>stopAt</c> runs <c>stop</c> before taking more (the client is not reading meanwhile).</summary>
    private sealed class StopAtBlockSink(long stopAt, Func<Task> stop) : IBaoSink
    {
        public long Blocks { get; private set; }

        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (++Blocks == stopAt)
            {
                await stop();
            }
        }
    }
}
