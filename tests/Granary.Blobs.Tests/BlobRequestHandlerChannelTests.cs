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
/// Gets under a transfer channel on in-memory streams, against a real blob store on real files: no
/// token needed, each piece authorized by the channel gate and counted on it once sent, a refusal
/// answered as the gate's error with no data, and everything else as strict as before.
/// The gate is <see cref="RecordingChannelGate"/>, a stand-in for the silo's transfer service.
/// </summary>
public sealed class BlobRequestHandlerChannelTests : IAsyncLifetime
{
    private const string Token = "in-memory-token";
    private const int BlobSize = 100_000;
    private static readonly NodeId Peer = AnyNodeId();
    private readonly TempDirectory _directory = new();
    private readonly RecordingChannelGate _gate = new();
    private readonly byte[] _data = TestRandom.Bytes(TestRandom.For("channel get"), BlobSize);
    private IFileIo _io = null!;
    private BlobStore _store = null!;
    private BlobRequestHandler _handler = null!;
    private BlobRequestHandler _gateless = null!;
    private Blake3Hash _hash;

    public async Task InitializeAsync()
    {
        _io = FileIo.Create();
        _store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = _directory.Path, MaxBlobSize = 1 << 20 }, _io);
        var options = new BlobsServerOptions { AdminToken = Token, HeaderTimeout = TimeSpan.FromMilliseconds(300) };
        _handler = new BlobRequestHandler(_store, options, NullLogger.Instance, channels: _gate);
        _gateless = new BlobRequestHandler(_store, options, NullLogger.Instance);
        BlobRequestContext put = Context([.. new PutRequest(_data.Length).ToBlock().ToFrame(), .. _data], authenticated: true);
        await _handler.ServeAsync(put, default);
        _hash = (await ReadAsync<BlobDescription>(put)).Blob.Hash;
        Assert.Equal(Blake3.Hash(_data), _hash);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _io.DisposeAsync();
        _directory.Dispose();
    }

    public static TheoryData<string, ChunkRanges, long, bool> Pieces() => new()
    {
        { "the whole blob, as a stranger", ChunkRanges.All, BlobSize, false },
        { "one 16 KiB block's chunks", ChunkRanges.Range(16, 32), 16 * 1024, false },
        // Counted as carried: the encoding sends whole 16 KiB blocks however few chunks were asked (see BlocksOf).
        { "two chunks inside a block", ChunkRanges.Range(2, 4), 16 * 1024, false },
        { "the short last chunk", ChunkRanges.Chunk(97), BlobSize - (96 * 1024), false },
        { "an open end", ChunkRanges.From(90), BlobSize - (80 * 1024), false },
        { "a range past the end", ChunkRanges.Range(95, 5000), BlobSize - (80 * 1024), false },
        { "two ranges", ChunkRanges.FromBoundaries([0, 1, 40, 42]), 32 * 1024, false },
        { "the whole blob, as a member", ChunkRanges.All, BlobSize, true },
    };

    [Theory]
    [MemberData(nameof(Pieces))]
    public async Task A_channel_get_needs_no_token_and_counts_the_bytes_of_the_blocks_it_carries(string name, ChunkRanges ranges, long bytes, bool authenticated)
    {
        BlobRequestContext context = Context(Frame(new GetRequest(_hash, ranges) { Channel = 7 }), authenticated);
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(context, default));

        BlobDescription header = await ReadAsync<BlobDescription>(context);
        Assert.Equal((_hash, (long)BlobSize), (header.Blob.Hash, header.Blob.Size));
        var sink = new BlockSink();
        await BaoDecoder.DecodeAsync(context.Output, _hash, BlobSize, ranges, sink, requireEnd: true, default);
        Assert.Equal(BlocksOf(ranges), sink.Blocks.Keys);
        foreach ((long block, byte[] data) in sink.Blocks)
        {
            Assert.True(_data.AsSpan((int)(block * BaoTree.BlockSize), data.Length).SequenceEqual(data), $"{name}: block {block} differs");
        }

        Assert.Equal((Peer, 7UL, _hash, ranges), Assert.Single(_gate.Authorized));
        Assert.Equal((Peer, 7UL, bytes), Assert.Single(_gate.Sent));
    }

    public static TheoryData<BlobStatus, string> Refusals() => new()
    {
        { BlobStatus.Forbidden, "no channel 7 from this node" },
        { BlobStatus.Unavailable, "the channel is paused; ask again later" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_piece_is_answered_with_the_gate_s_error_and_no_data(BlobStatus status, string message)
    {
        _gate.Refusal = new BlobProtocolException(status, message);
        BlobRequestContext context = Context(Frame(new GetRequest(_hash, ChunkRanges.All) { Channel = 7 }), authenticated: false);
        Assert.Equal(StreamOutcome.Finished, await _handler.ServeAsync(context, default));

        ErrorReply error = await ReadErrorAsync(context);
        Assert.Equal((status, message), (error.Code, error.Message));
        Assert.Equal(context.Output.Length, context.Output.Position);
        Assert.Single(_gate.Authorized);
        Assert.Empty(_gate.Sent);
    }

    [Fact]
    public async Task An_authorized_get_of_a_blob_this_silo_lacks_is_404_and_counts_nothing()
    {
        BlobRequestContext context = Context(Frame(new GetRequest(Blake3.Hash([1]), ChunkRanges.All) { Channel = 3 }), authenticated: false);
        await _handler.ServeAsync(context, default);
        Assert.Equal(BlobStatus.NotFound, (await ReadErrorAsync(context)).Code);
        Assert.Equal(3UL, Assert.Single(_gate.Authorized).TransferId);
        Assert.Empty(_gate.Sent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silo_without_a_gate_answers_405_to_a_channel_get(bool authenticated)
    {
        BlobRequestContext context = Context(Frame(new GetRequest(_hash, ChunkRanges.All) { Channel = 7 }), authenticated);
        await _gateless.ServeAsync(context, default);
        ErrorReply error = await ReadErrorAsync(context);
        Assert.Equal(BlobStatus.UnknownOperation, error.Code);
        Assert.Contains("serves no transfer channels", error.Message, StringComparison.Ordinal);
        Assert.Equal(context.Output.Length, context.Output.Position);
    }

    [Fact]
    public async Task A_get_without_a_channel_from_a_stranger_is_still_401_and_the_gate_is_not_asked()
    {
        BlobRequestContext context = Context(Frame(new GetRequest(_hash, ChunkRanges.All)), authenticated: false);
        await _handler.ServeAsync(context, default);
        Assert.Equal(BlobStatus.Unauthorized, (await ReadErrorAsync(context)).Code);
        Assert.Empty(_gate.Authorized);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("locate")]
    [InlineData("delete")]
    public async Task A_channel_field_lets_no_other_operation_past_a_stranger(string op)
    {
        BlobRequestContext context = Context(Raw($"d7:channeli7e4:hash32:{Encoding.Latin1.GetString(_hash.ToArray())}2:op{op.Length}:{op}e"), authenticated: false);
        await _handler.ServeAsync(context, default);
        Assert.Equal(BlobStatus.Unauthorized, (await ReadErrorAsync(context)).Code);
        Assert.Empty(_gate.Authorized);
        Assert.True(await _store.HasAsync(_hash));
    }

    [Theory]
    [InlineData("i-1e", "a get's 'channel' must be a transfer id (0 or more), not -1")]
    [InlineData("3:one", "'channel' must be an integer")]
    public async Task A_malformed_channel_is_400_before_the_gate_is_asked(string channel, string words)
    {
        BlobRequestContext context = Context(Raw($"d7:channel{channel}4:hash32:{Encoding.Latin1.GetString(_hash.ToArray())}2:op3:gete"), authenticated: false);
        await _handler.ServeAsync(context, default);
        ErrorReply error = await ReadErrorAsync(context);
        Assert.Equal(BlobStatus.BadRequest, error.Code);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.Empty(_gate.Authorized);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(7UL)]
    [InlineData((ulong)long.MaxValue)]
    public async Task The_channel_reads_back_from_the_wire(ulong channel)
    {
        var request = new GetRequest(_hash, ChunkRanges.From(3)) { Channel = channel };
        var back = Assert.IsType<GetRequest>(await BlobRequest.ReadAsync(new MemoryStream(Frame(request)), default));
        Assert.Equal((channel, ChunkRanges.From(3)), (back.Channel, back.Ranges));
        Assert.Null(Assert.IsType<GetRequest>(await BlobRequest.ReadAsync(new MemoryStream(Frame(new GetRequest(_hash, ChunkRanges.All))), default)).Channel);
    }

    /// <summary>The 16 KiB blocks that hold the chunks of <paramref name="ranges"/> within the blob.</summary>
    private static List<long> BlocksOf(ChunkRanges ranges) =>
        [.. Enumerable.Range(0, (int)BaoTree.ChunkCount(BlobSize)).Where(c => ranges.Contains((ulong)c)).Select(c => (long)c / BaoTree.ChunksPerBlock).Distinct()];

    private static NodeId AnyNodeId()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        return identity.Id;
    }

    private static byte[] Frame(BlobRequest request) => request.ToBlock().ToFrame();

    private static byte[] Raw(string body) => [.. Encoding.ASCII.GetBytes($"{Encoding.Latin1.GetByteCount(body)}:"), .. Encoding.Latin1.GetBytes(body)];

    private static BlobRequestContext Context(byte[] request, bool authenticated) =>
        new(new MemoryStream(request), new MemoryStream(), new BlobSession(Peer, authenticated));

    private static async Task<T> ReadAsync<T>(BlobRequestContext context)
        where T : BlobReply, IBlobReply<T>
    {
        context.Output.Position = 0;
        return await BlobReply.ReadAsync<T>(context.Output, default);
    }

    private static async Task<ErrorReply> ReadErrorAsync(BlobRequestContext context)
    {
        context.Output.Position = 0;
        return Assert.IsType<ErrorReply>(await BlobReply.ReadOrErrorAsync<OkReply>(context.Output, default));
    }
}
