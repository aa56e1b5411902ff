using System.Text;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Blobs.Tests;

public sealed class BlobProtocolTests : IAsyncLifetime
{
    private TestSilo _silo = null!;
    private BlobClient _client = null!;

    public async Task InitializeAsync()
    {
        _silo = await TestSilo.StartAsync(maxBlobSize: 8 << 20);
        _client = await BlobClient.ConnectAsync(_silo.Ticket, TestSilo.Token);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(16383)]
    [InlineData(16385)]
    [InlineData((1 << 20) + 7)]
    public async Task Put_then_get_round_trips_with_the_BLAKE3_hash(int size)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For($"put {size}"), size);
        var progress = new List<long>();
        BlobInfo stored = await _client.PutAsync(new MemoryStream(data), size, progress: new Progress<long>(progress.Add));
        Assert.Equal(Blake3.Hash(data), stored.Hash);
        Assert.Equal(size, stored.Size);

        using var back = new MemoryStream();
        BlobInfo fetched = await _client.GetToStreamAsync(stored.Hash, back);
        Assert.Equal(data, back.ToArray());
        Assert.Equal(stored.Expires, fetched.Expires);
    }

    [Fact]
    public async Task A_range_request_delivers_exactly_the_blocks_it_touches_verified()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("ranges"), 20 * BaoTree.BlockSize);
        BlobInfo stored = await _client.PutAsync(new MemoryStream(data), data.Length);
        var storage = new MemoryRandomAccessStorage();
        await _client.GetAsync(stored.Hash, new StorageBaoSink(storage, null), ChunkRanges.Range(5 * 16, 7 * 16));
        byte[] got = storage.ToArray();
        Assert.Equal(7 * BaoTree.BlockSize, got.Length);
        Assert.True(data.AsSpan(5 * BaoTree.BlockSize, 2 * BaoTree.BlockSize).SequenceEqual(got.AsSpan(5 * BaoTree.BlockSize)));
    }

    [Fact]
    public async Task Info_extend_and_delete_do_what_they_say()
    {
        BlobInfo stored = await _client.PutAsync(new MemoryStream([1, 2, 3]), 3, ttl: TimeSpan.FromHours(1));
        Assert.Equal(stored, await _client.InfoAsync(stored.Hash));
        BlobInfo extended = await _client.ExtendAsync(stored.Hash, TimeSpan.FromDays(2));
        Assert.True(extended.Expires > stored.Expires);
        await _client.DeleteAsync(stored.Hash);
        var gone = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.InfoAsync(stored.Hash));
        Assert.Equal(BlobStatus.NotFound, gone.Status);
    }

    [Fact]
    public async Task The_uploader_and_its_tags_are_recorded_and_bad_tags_refused()
    {
        BlobInfo stored = await _client.PutAsync(new MemoryStream([3, 1, 4]), 3, tags: new Dictionary<string, string> { ["team"] = "storage" });
        BlobInfo info = await _client.InfoAsync(stored.Hash);
        Assert.Equal(_client.NodeId.ToString(), info.Uploader);
        Assert.Equal("team=storage", info.Tags);

        var refused = await Assert.ThrowsAsync<BlobProtocolException>(() =>
            _client.PutAsync(new MemoryStream([9, 9]), 2, tags: new Dictionary<string, string> { ["bad=key"] = "x" }));
        Assert.Equal(BlobStatus.BadRequest, refused.Status);
    }

    [Fact]
    public async Task An_expired_blob_answers_410()
    {
        BlobInfo stored = await _client.PutAsync(new MemoryStream([4]), 1, ttl: TimeSpan.FromMinutes(5));
        _silo.Clock.Advance(TimeSpan.FromMinutes(6));
        var expired = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.GetToStreamAsync(stored.Hash, Stream.Null));
        Assert.Equal(BlobStatus.Gone, expired.Status);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_nothing_is_served_without_one()
    {
        var refused = await Assert.ThrowsAsync<BlobProtocolException>(() => BlobClient.ConnectAsync(_silo.Ticket, "wrong"));
        Assert.Equal(BlobStatus.Unauthorized, refused.Status);

        var (status, error) = await RawAsync(authenticate: false, Frame("d2:op4:infoe"));
        Assert.Equal(BlobStatus.Unauthorized, status);
        Assert.Contains("authenticate first", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_serving_corrupted_bytes_is_caught_by_the_client_at_the_bad_block()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("corrupt"), 10 * BaoTree.BlockSize);
        BlobInfo stored = await _client.PutAsync(new MemoryStream(data), data.Length);
        string file = _silo.Store.DataPath(stored.Hash);
        byte[] onDisk = await File.ReadAllBytesAsync(file);
        onDisk[(6 * BaoTree.BlockSize) + 100] ^= 0x40;
        await File.WriteAllBytesAsync(file, onDisk);

        var sink = new MemoryRandomAccessStorage();
        var error = await Assert.ThrowsAsync<BaoVerificationException>(() => _client.GetAsync(stored.Hash, new StorageBaoSink(sink, null)));
        Assert.Equal((BaoFailure.BlockMismatch, 6L), (error.Failure, error.FirstBlock));
        Assert.Equal(6 * BaoTree.BlockSize, sink.Length);
    }

    [Fact]
    public async Task An_interrupted_download_resumes_and_fetches_only_the_rest()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("resume"), 7 << 20);
        BlobInfo stored = await _client.PutAsync(new MemoryStream(data), data.Length);
        using var directory = new TempDirectory();
        string path = directory.File("out.bin");

        // Stop the first attempt after 6 MiB; with checkpoints every MiB, at least 5 MiB are kept.
        using (var stop = new CancellationTokenSource())
        {
            var progress = new SynchronousProgress<(long Done, long Total)>(p =>
            {
                if (p.Done >= 6 << 20)
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BlobDownload.ToFileAsync(_client, stored.Hash, path, progress, 1 << 20, cancellationToken: stop.Token));
        }

        Assert.False(File.Exists(path));
        FileDownloadResult resumed = await BlobDownload.ToFileAsync(_client, stored.Hash, path, checkpointBytes: 1 << 20);
        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + ".partial"));
        Assert.True(resumed.Fetched <= data.Length - (5 << 20), $"fetched {resumed.Fetched} of {data.Length}: the checkpointed part was fetched again");
        Assert.Equal((data.Length, 0L), (resumed.Resumed + resumed.Fetched, resumed.Discarded));
    }

    [Fact]
    public async Task A_lone_silo_takes_an_upload_that_asks_to_be_placed_and_says_it_places_nothing()
    {
        // Nothing to place on a silo alone: auth says so (BlobUploader then sends unhashed), and a
        // client that asks anyway gets the go-ahead and its blob stored, verified against its hash.
        Assert.False(_client.PlacesUploads);
        byte[] data = TestRandom.Bytes(TestRandom.For("placed alone"), 70_000);
        BlobInfo stored = await _client.PutAsync(new PutRequest(data.Length, Hash: Blake3.Hash(data)) { Place = true }, new MemoryStream(data), null, default);
        Assert.Equal(Blake3.Hash(data), stored.Hash);
        await using var uploader = new BlobUploader(_client, (_, _) => throw new InvalidOperationException("a silo alone redirects nowhere"));
        Assert.Equal(Blake3.Hash([1, 2, 3]), (await uploader.PutAsync(new MemoryStream([1, 2, 3]), 3)).Hash);

        var wrong = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.PutAsync(new PutRequest(data.Length, Hash: Blake3.Hash([1])) { Place = true }, new MemoryStream(data), null, default));
        Assert.Equal(BlobStatus.HashMismatch, wrong.Status);

        // A size the silo would refuse is refused before the go-ahead: not a byte is read.
        var unread = new MemoryStream(data);
        var tooLarge = await Assert.ThrowsAsync<BlobProtocolException>(() => _client.PutAsync(new PutRequest(999_999_999, Hash: Blake3.Hash(data)) { Place = true }, unread, null, default));
        Assert.Equal((BlobStatus.TooLarge, 0L), (tooLarge.Status, unread.Position));
        Assert.Equal(Blake3.Hash([7]), (await _client.PutAsync(new MemoryStream([7]), 1)).Hash);
    }

    [Fact]
    public async Task Over_QUIC_a_refused_upload_stops_the_sender_and_the_connection_carries_on()
    {
        // The protocol's refusals are tested on in-memory streams (BlobRequestHandlerTests); this is
        // the QUIC side of them: STOP_SENDING reaches a client still sending, and the reply is read.
        Assert.Equal(BlobStatus.TooMuchData, (await RawAsync(true, [.. Frame("d2:op3:put4:sizei2ee"), .. new byte[256 * 1024]])).Status);
        Assert.Equal(BlobStatus.TooLarge, (await RawAsync(true, Frame("d2:op3:put4:sizei999999999ee"))).Status);
        BlobInfo fine = await _client.PutAsync(new MemoryStream([9]), 1);
        Assert.Equal(Blake3.Hash([9]), fine.Hash);
    }

    private static byte[] Frame(string body) => Encoding.ASCII.GetBytes($"{body.Length}:{body}");

    /// <summary>Sends raw bytes as one request on a fresh connection and returns the silo's status and error.</summary>
    private async Task<(BlobStatus Status, string Error)> RawAsync(bool authenticate, byte[] request)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await using var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = identity });
        await using QuicConnection connection = await endpoint.ConnectAsync(_silo.Ticket.Address, _silo.Ticket.Node, Granary.Blobs.Server.BlobsProtocolHandler.Alpn);
        if (authenticate)
        {
            await using QuicStream auth = await connection.OpenBidirectionalStreamAsync();
            await auth.WriteAsync(Frame($"d2:op4:auth5:token{TestSilo.Token.Length}:{TestSilo.Token}e"));
            auth.CompleteWrites();
            await BlobReply.ReadAsync<OkReply>(auth, default);
        }

        await using QuicStream stream = await connection.OpenBidirectionalStreamAsync();
        try
        {
            await stream.WriteAsync(request);
            stream.CompleteWrites();
        }
        catch (QuicException)
        {
            // The silo may stop reading early (too much data); its reply is still there.
        }

        var reply = (ErrorReply)(await BlobReply.ReadOrErrorAsync<OkReply>(stream, default).WaitAsync(TimeSpan.FromSeconds(20)))!;
        return (reply.Code, reply.Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
