using System.IO.Pipelines;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;
using Granary.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Blobs.Tests;

/// <summary>
/// The silo's protocol logic on in-memory streams: a real blob store on real files, no QUIC.
/// Each request is the bytes a client would send; each answer is read back with the typed replies.
/// </summary>
public sealed class BlobRequestHandlerTests : IAsyncLifetime
{
    private const string Token = "in-memory-token";
    private static readonly NodeId Peer = AnyNodeId();
    private readonly TempDirectory _directory = new();
    private IFileIo _io = null!;
    private BlobStore _store = null!;
    private BlobRequestHandler _handler = null!;

    public async Task InitializeAsync()
    {
        _io = FileIo.Create();
        _store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = _directory.Path, MaxBlobSize = 1 << 20 }, _io);
        _handler = new BlobRequestHandler(_store, new BlobsServerOptions { AdminToken = Token, HeaderTimeout = TimeSpan.FromMilliseconds(300) }, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _io.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_put_then_a_get_round_trip_verified()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("in-memory put"), 40_000);
        BlobDescription put = await ReadAsync<BlobDescription>(await ServeAsync([.. Frame(new PutRequest(data.Length, Tags: new Dictionary<string, string> { ["k"] = "v" })), .. data]));
        Assert.Equal((Blake3.Hash(data), (long)data.Length, "k=v", Peer.ToString()), (put.Blob.Hash, put.Blob.Size, put.Blob.Tags, put.Blob.Uploader));

        var output = await ServeAsync(Frame(new GetRequest(put.Blob.Hash, ChunkRanges.All)));
        BlobDescription header = await BlobReply.ReadAsync<BlobDescription>(output, default);
        var received = new MemoryStream();
        await BaoDecoder.DecodeAsync(output, header.Blob.Hash, header.Blob.Size, ChunkRanges.All, new StreamSink(received), requireEnd: true, default);
        Assert.Equal(data, received.ToArray());
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("5:hello")]
    [InlineData("4:i42e")]
    [InlineData("3:dee")]
    [InlineData("99999:")]
    [InlineData("2:de")]
    public async Task Malformed_metadata_blocks_answer_400(string raw)
    {
        ErrorReply error = await ErrorAsync(Encoding.ASCII.GetBytes(raw));
        Assert.Equal(BlobStatus.BadRequest, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("d2:op3:put4:sizei+3ee")]
    [InlineData("d2:op3:put4:sizei03ee")]
    [InlineData("d2:op3:put4:sizei-0ee")]
    public async Task Integers_have_one_spelling(string body)
    {
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync([.. Raw(body), 1, 2, 3])).Code);
        Assert.Empty(await _store.HashesAsync());
    }

    [Fact]
    public async Task Dictionary_keys_follow_bencode_byte_order_also_beyond_the_basic_plane()
    {
        // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) by bytes, after it by UTF-16 units.
        byte[] body = Encoding.UTF8.GetBytes("d2:op3:put4:sizei1e4:tagsd3:\uFFFD1:a4:\U0001F6001:bee");
        byte[] frame = [.. Encoding.ASCII.GetBytes($"{body.Length}:"), .. body, 7];
        BlobDescription stored = await ReadAsync<BlobDescription>(await ServeAsync(frame));
        Assert.Equal(2, BlobTags.Parse(stored.Blob.Tags).Count);
        Assert.Equal(frame[..^1], new PutRequest(1, Tags: new Dictionary<string, string> { ["\U0001F600"] = "b", ["\uFFFD"] = "a" }).ToBlock().ToFrame());
    }

    [Fact]
    public async Task Every_request_error_has_its_own_code_and_stores_nothing()
    {
        string b32 = new('b', 32);
        Assert.Equal(BlobStatus.UnknownOperation, (await ErrorAsync(Raw("d2:op4:zzzze"))).Code);
        Assert.Equal(BlobStatus.NoSize, (await ErrorAsync(Raw("d2:op3:pute"))).Code);
        Assert.Equal(BlobStatus.BadSize, (await ErrorAsync(Raw("d2:op3:put4:sizei-1ee"))).Code);
        Assert.Equal(BlobStatus.FinBeforeSize, (await ErrorAsync([.. Raw("d2:op3:put4:sizei10ee"), 1, 2, 3])).Code);
        Assert.Equal(BlobStatus.TooMuchData, (await ErrorAsync([.. Raw("d2:op3:put4:sizei2ee"), 1, 2, 3])).Code);
        Assert.Equal(BlobStatus.TooLarge, (await ErrorAsync(Raw("d2:op3:put4:sizei999999999ee"))).Code);
        Assert.Equal(BlobStatus.HashMismatch, (await ErrorAsync([.. Raw($"d4:hash32:{new string('a', 32)}2:op3:put4:sizei3ee"), 1, 2, 3])).Code);
        Assert.Equal(BlobStatus.NotFound, (await ErrorAsync(Raw($"d4:hash32:{b32}2:op3:gete"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw("d4:hash3:abc2:op4:infoe"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw($"d4:hash32:{b32}2:op3:get6:rangesli5ei3eee"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw("d2:op3:put4:sizei1e3:ttli-5ee"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw("d2:op3:put4:sizei1e3:ttli99999999999999ee"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw($"d4:hash32:{b32}2:op6:extende"))).Code);
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw("d2:op3:put4:sizei1e4:tagsd1:=1:xee"))).Code);
        ErrorReply placeWithoutHash = await ErrorAsync(Raw("d2:op3:put5:placei1e4:sizei1ee"));
        Assert.Equal((BlobStatus.BadRequest, true), (placeWithoutHash.Code, placeWithoutHash.Message.Contains("must declare its 'hash'", StringComparison.Ordinal)));
        Assert.Equal(BlobStatus.BadRequest, (await ErrorAsync(Raw($"d4:hash32:{b32}2:op3:put5:placei2e4:sizei1ee"))).Code);
        Assert.Equal(BlobStatus.UnknownOperation, (await ErrorAsync(Frame(new ClusterStatusRequest()))).Code);
        Assert.Empty(await _store.HashesAsync());
    }

    [Fact]
    public async Task Too_much_data_stops_the_client_sending_and_a_complete_push_needs_no_data()
    {
        var tooMuch = Context([.. Raw("d2:op3:put4:sizei2ee"), 1, 2, 3], authenticated: true);
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(tooMuch, default));
        Assert.Equal((long)BlobStatus.TooMuchData, tooMuch.StoppedReading);

        BlobDescription stored = await ReadAsync<BlobDescription>(await ServeAsync([.. Frame(new PutRequest(3)), 7, 8, 9]));
        var push = Context(Frame(new PushRequest(stored.Blob.Hash, 3, ChunkRanges.All)), authenticated: true);
        await _handler.ServeAsync(push, default);
        Assert.Equal(0L, push.StoppedReading);
        BlobAvailability have = await ReadAsync<BlobAvailability>((MemoryStream)push.Output);
        Assert.True(have.Complete);
    }

    [Fact]
    public async Task Without_the_token_nothing_is_served_and_a_wrong_token_closes_the_connection()
    {
        var unauthenticated = Context(Frame(new InfoRequest(Blake3.Hash([1]))), authenticated: false);
        await _handler.ServeAsync(unauthenticated, default);
        Assert.Equal(BlobStatus.Unauthorized, (await ReadErrorAsync((MemoryStream)unauthenticated.Output)).Code);
        var malformed = Context(Raw("d2:op4:infoe"), authenticated: false);
        await _handler.ServeAsync(malformed, default);
        Assert.Equal(BlobStatus.Unauthorized, (await ReadErrorAsync((MemoryStream)malformed.Output)).Code);

        var wrong = Context(Frame(new AuthRequest(Encoding.UTF8.GetBytes("guess"))), authenticated: false);
        Assert.Equal(StreamOutcome.CloseConnection, await _handler.ServeAsync(wrong, default));
        Assert.False(wrong.Session.Authenticated);

        var right = Context(Frame(new AuthRequest(Encoding.UTF8.GetBytes(Token))), authenticated: false);
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(right, default));
        Assert.True(right.Session.Authenticated);
    }

    [Fact]
    public async Task A_client_that_sends_no_request_in_time_gets_400_and_a_stopping_silo_abandons_the_stream()
    {
        var silent = new Pipe();
        var context = new BlobRequestContext(silent.Reader.AsStream(), new MemoryStream(), new BlobSession(Peer, true));
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(context, default).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(BlobStatus.BadRequest, (await ReadErrorAsync((MemoryStream)context.Output)).Code);

        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var waiting = new BlobRequestContext(new Pipe().Reader.AsStream(), new MemoryStream(), new BlobSession(Peer, true));
        Assert.Equal(StreamOutcome.Abandoned, await _handler.ServeAsync(waiting, stopping.Token).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, waiting.Output.Length);
    }

    [Fact]
    public async Task A_lone_silo_locates_a_blob_it_holds_with_no_providers_meaning_here()
    {
        BlobDescription stored = await ReadAsync<BlobDescription>(await ServeAsync([.. Frame(new PutRequest(1)), 5]));
        BlobDescription located = await ReadAsync<BlobDescription>(await ServeAsync(Frame(new LocateRequest(stored.Blob.Hash))));
        Assert.Equal((stored.Blob.Hash, 0), (located.Blob.Hash, located.Providers.Count));
        Assert.Equal(BlobStatus.NotFound, (await ErrorAsync(Frame(new LocateRequest(Blake3.Hash([6]))))).Code);
    }

    [Fact]
    public async Task A_collection_streams_its_files_and_names_the_ones_this_silo_lacks()
    {
        BlobDescription file = await ReadAsync<BlobDescription>(await ServeAsync([.. Frame(new PutRequest(2)), 1, 2]));
        Blake3Hash absent = Blake3.Hash([9, 9]);
        byte[] listing = new BlobCollection([new CollectionEntry("a", file.Blob.Hash, 2), new CollectionEntry("b", absent, 2)], []).Encode();
        BlobDescription collection = await ReadAsync<BlobDescription>(await ServeAsync([.. Frame(new PutRequest(listing.Length)), .. listing]));

        MemoryStream output = await ServeAsync(Frame(new GetCollectionRequest(collection.Blob.Hash)));
        BlobDescription head = await BlobReply.ReadAsync<BlobDescription>(output, default);
        await BaoDecoder.DecodeAsync(output, head.Blob.Hash, head.Blob.Size, ChunkRanges.All, new StreamSink(Stream.Null), requireEnd: false, default);
        BlobDescription first = await BlobReply.ReadAsync<BlobDescription>(output, default);
        await BaoDecoder.DecodeAsync(output, first.Blob.Hash, first.Blob.Size, ChunkRanges.All, new StreamSink(Stream.Null), requireEnd: false, default);
        ErrorReply second = (ErrorReply)(await BlobReply.ReadOrErrorAsync<BlobDescription>(output, default))!;
        Assert.Equal((file.Blob.Hash, BlobStatus.NotFound, absent), (first.Blob.Hash, second.Code, second.Hash));
        Assert.Equal(output.Length, output.Position);

        Assert.Equal(BlobStatus.NotACollection, (await ErrorAsync(Frame(new GetCollectionRequest(file.Blob.Hash)))).Code);
    }

    [Fact]
    public async Task Every_request_and_reply_reads_back_as_what_was_written()
    {
        Blake3Hash hash = Blake3.Hash([1, 2, 3]);
        var silo = SiloTicket.Parse($"granary:{Peer}@127.0.0.1:4433");
        BlobRequest[] requests =
        [
            new AuthRequest([1, 2]), new PutRequest(5, TimeSpan.FromHours(1), hash, new Dictionary<string, string> { ["a"] = "b" }), new PutRequest(0), new PutRequest(5, null, hash) { Place = true },
            new GetRequest(hash, ChunkRanges.Range(2, 9)), new GetRequest(hash, ChunkRanges.All), new GetRequest(hash, ChunkRanges.All) { Channel = 7 }, new GetCollectionRequest(hash),
            new PushRequest(hash, 4096, ChunkRanges.From(1), TimeSpan.FromDays(2)), new ObserveRequest(hash), new InfoRequest(hash),
            new ExtendRequest(hash, TimeSpan.FromSeconds(30)), new DeleteRequest(hash), new LocateRequest(hash),
            new ClusterStatusRequest(), new ClusterDrainRequest(Peer.ToString()), new ScrubRequest(),
        ];
        Assert.Equal(BlobRequest.Operations.Order(), requests.Select(r => r.Operation).Distinct().Order());
        foreach (BlobRequest request in requests)
        {
            BlobRequest back = (await BlobRequest.ReadAsync(new MemoryStream(Frame(request)), default))!;
            Assert.Equal(request.GetType(), back.GetType());
            Assert.Equal(Frame(request), Frame(back));
        }

        var blob = new BlobInfo(hash, 3, DateTimeOffset.FromUnixTimeMilliseconds(1_000), DateTimeOffset.FromUnixTimeMilliseconds(2_000)) { Uploader = "u", Tags = "a=b" };
        BlobReply[] replies =
        [
            OkReply.Instance, new OkReply { PlacesUploads = true }, new BlobDescription(blob) { Providers = [silo] }, new BlobDescription(blob) { Replicas = [silo, silo] },
            new BlobAvailability(hash, 3, ChunkRanges.Range(0, 1), false), new ErrorReply(BlobStatus.Gone, "gone") { Hash = hash },
            new ClusterStatus(2, 7, [new SiloStatusInfo(Peer.ToString(), "127.0.0.1:1", "Active", 5, 1, 2, 0, null), new SiloStatusInfo("n", "a", "Dead", 4, -1, -1, -1, "did not answer")]),
            new ScrubSummary(3, 4096, 1, 1, [(hash, "its data hashes to something else")]),
        ];
        foreach (BlobReply reply in replies)
        {
            var frame = new MemoryStream(reply.ToBlock().ToFrame());
            BlobReply back = reply switch
            {
                BlobDescription => (await BlobReply.ReadOrErrorAsync<BlobDescription>(frame, default))!,
                BlobAvailability => (await BlobReply.ReadOrErrorAsync<BlobAvailability>(frame, default))!,
                ClusterStatus => (await BlobReply.ReadOrErrorAsync<ClusterStatus>(frame, default))!,
                ScrubSummary => (await BlobReply.ReadOrErrorAsync<ScrubSummary>(frame, default))!,
                _ => (await BlobReply.ReadOrErrorAsync<OkReply>(frame, default))!,
            };
            Assert.Equal(reply.ToBlock().ToFrame(), back.ToBlock().ToFrame());
        }

        BlobProtocolException redirect = new ErrorReply(BlobStatus.Redirect, "elsewhere") { Providers = [silo] }.ToException();
        Assert.Equal((BlobStatus.Redirect, silo), (redirect.Status, redirect.Providers.Single()));
    }

    [Fact]
    public async Task Concurrent_pushes_of_one_blob_all_end_complete()
    {
        (Blake3Hash hash, byte[] data, byte[] encoding) = await EncodedAsync("push race", 600_000);
        byte[] request = [.. Frame(new PushRequest(hash, data.Length, ChunkRanges.All)), .. encoding];
        for (int round = 0; round < 3; round++)
        {
            Assert.True(round == 0 || await _store.DeleteAsync(hash));
            BlobReply[] replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                await Task.Yield();
                BlobRequestContext context = Context(request, authenticated: true);
                await _handler.ServeAsync(context, default).WaitAsync(TimeSpan.FromSeconds(30));
                var output = (MemoryStream)context.Output;
                output.Position = 0;
                return (await BlobReply.ReadOrErrorAsync<BlobAvailability>(output, default))!;
            }));
            Assert.All(replies, reply => Assert.True(reply is BlobAvailability { Complete: true }, $"a push got {reply}"));
        }
    }

    [Fact]
    public async Task A_push_that_fails_before_its_first_block_leaves_nothing_behind_nor_blocks_an_honest_push()
    {
        (Blake3Hash hash, byte[] data, byte[] encoding) = await EncodedAsync("poison", 40_000);
        Assert.Equal(BlobStatus.HashMismatch, (await ErrorAsync(Frame(new PushRequest(hash, 999_999, ChunkRanges.All)))).Code);
        Assert.Null(_store.FindPartial(hash));

        BlobAvailability honest = await ReadAsync<BlobAvailability>(await ServeAsync([.. Frame(new PushRequest(hash, data.Length, ChunkRanges.All)), .. encoding]));
        Assert.True(honest.Complete);
        Assert.DoesNotContain(Directory.EnumerateFiles(_directory.Path, "*.data", SearchOption.AllDirectories), f => f.Contains("partial", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("d6:statusi200e4:sizei-5e4:hash32:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaae")]
    [InlineData("d6:statusi4294967496e5:error2:noe")]
    [InlineData("d6:statusi999e5:error2:noe")]
    public async Task A_hostile_reply_is_a_clear_error_never_a_false_status(string body)
    {
        var error = await Assert.ThrowsAsync<BlobProtocolException>(() => BlobReply.ReadAsync<BlobDescription>(new MemoryStream(Raw(body)), default));
        Assert.Contains(error.Status, new[] { BlobStatus.BadRequest, BlobStatus.Internal });
        Assert.DoesNotContain("Parameter", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("d2:opi5ee")]
    [InlineData("d2:op4:auti5:token1:xe")]
    public async Task A_stranger_hears_401_whatever_the_block_says(string body)
    {
        BlobRequestContext context = Context(Raw(body), authenticated: false);
        await _handler.ServeAsync(context, default);
        Assert.Equal(BlobStatus.Unauthorized, (await ReadErrorAsync((MemoryStream)context.Output)).Code);
    }

    [Fact]
    public async Task A_read_only_seeder_answers_403_to_writes_and_still_serves_reads()
    {
        byte[] data = TestRandom.Bytes(TestRandom.For("seeded"), 3000);
        Blake3Hash hash = (await _store.ImportAsync(new MemoryStream(data), data.Length, TimeSpan.FromHours(1))).Hash;
        var seeder = new BlobRequestHandler(_store, new BlobsServerOptions { AdminToken = Token, ReadOnly = true }, NullLogger.Instance);
        foreach (BlobRequest write in new BlobRequest[] { new PutRequest(1), new DeleteRequest(hash), new ExtendRequest(hash, TimeSpan.FromDays(1)) })
        {
            BlobRequestContext context = Context(Frame(write), authenticated: true);
            await seeder.ServeAsync(context, default);
            ErrorReply refused = await ReadErrorAsync((MemoryStream)context.Output);
            Assert.Equal(BlobStatus.Forbidden, refused.Code);
            Assert.StartsWith("this is a read-only seeder (granary serve): it only serves downloads", refused.Message, StringComparison.Ordinal);
        }

        Assert.NotNull(await _store.RecordAsync(hash, CancellationToken.None)); // the delete did nothing
        BlobRequestContext info = Context(Frame(new InfoRequest(hash)), authenticated: true);
        await seeder.ServeAsync(info, default);
        Assert.Equal(data.Length, (await ReadAsync<BlobDescription>((MemoryStream)info.Output)).Blob.Size);
    }

    [Fact]
    public void Every_store_refusal_has_its_own_status()
    {
        BlobStatus[] statuses = [.. Enum.GetValues<BlobError>().Select(BlobRequestHandler.StatusOf)];
        Assert.Equal(statuses.Length, statuses.Distinct().Count());
        Assert.DoesNotContain(BlobStatus.Ok, statuses);
    }

    private static async Task<(Blake3Hash Hash, byte[] Data, byte[] Encoding)> EncodedAsync(string seed, int size)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For(seed), size);
        using var outboard = new MemoryStream();
        (Blake3Hash hash, _) = await BaoOutboardBuilder.CreateAsync(new MemoryStream(data), outboard);
        using var encoding = new MemoryStream();
        await BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(data), new MemoryRandomAccessStorage(outboard.ToArray()), data.Length, ChunkRanges.All, encoding, default);
        return (hash, data, encoding.ToArray());
    }

    private static NodeId AnyNodeId()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        return identity.Id;
    }

    private static byte[] Frame(BlobRequest request) => request.ToBlock().ToFrame();

    private static byte[] Raw(string body) => Encoding.ASCII.GetBytes($"{body.Length}:{body}");

    private static BlobRequestContext Context(byte[] request, bool authenticated) =>
        new(new MemoryStream(request), new MemoryStream(), new BlobSession(Peer, authenticated));

    /// <summary>Serves one authenticated request; returns the reply bytes, rewound.</summary>
    private async Task<MemoryStream> ServeAsync(byte[] request)
    {
        BlobRequestContext context = Context(request, authenticated: true);
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(context, default));
        var output = (MemoryStream)context.Output;
        output.Position = 0;
        return output;
    }

    private async Task<ErrorReply> ErrorAsync(byte[] request) => await ReadErrorAsync(await ServeAsync(request));

    private static async Task<ErrorReply> ReadErrorAsync(MemoryStream output)
    {
        output.Position = 0;
        return Assert.IsType<ErrorReply>(await BlobReply.ReadOrErrorAsync<OkReply>(output, default));
    }

    private static async Task<T> ReadAsync<T>(MemoryStream output)
        where T : BlobReply, IBlobReply<T>
    {
        output.Position = 0;
        return await BlobReply.ReadAsync<T>(output, default);
    }

    private sealed class StreamSink(Stream output) : IBaoSink
    {
        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => output.WriteAsync(data, cancellationToken);
    }
}
