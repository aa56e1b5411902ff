using System.Net;
using System.Security.Cryptography;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Granary.Grains.Tests.Silos;
using Granary.Grains.Transfers;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Testing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Tests.Transfers;

/// <summary>
/// granary/transfer/1's request handling on in-memory streams: who may send which request, and
/// the status and sentence of each refusal. The service behind it is the real one (a real store,
/// connection pool and QUIC endpoint, an in-process Orleans silo's channel grains); channels that
/// move data are covered end to end in Granary.Cluster.Tests (TransferChannelTests).
/// </summary>
public sealed class TransferProtocolHandlerTests : IAsyncLifetime
{
    private const string Token = "the-admin-token";
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 9);

    private readonly TempDirectory _data = new();
    private readonly SiloLog _log = new();
    private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
    private readonly NodeId _stranger = NodeId.FromPublicKey([1]);
    private readonly NodeId _member = NodeId.FromPublicKey([2]);
    private readonly ECDsa _grantKey = ECDsa.Create();
    private GrainSilo? _silo;
    private IFileIo? _io;
    private BlobStore? _store;
    private QuicEndpoint? _endpoint;
    private ConnectionPool? _connections;
    private TransferService? _service;
    private TransferProtocolHandler? _handler;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _silo = await GrainSilo.StartAloneAsync(_data.File("grains.db"), _log);
        _io = FileIo.Create();
        _store = await BlobStore.OpenAsync(new BlobStoreOptions { Directory = _data.File("blobs") }, _io);
        _endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = _identity });
        _connections = new ConnectionPool(_endpoint);
        var view = ActivatorUtilities.CreateInstance<ClusterView>(_silo.Services);
        var options = new TransferOptions();
        _service = ActivatorUtilities.CreateInstance<TransferService>(
            _silo.Services,
            _store,
            _connections,
            view,
            new ClusterBlobs(_silo.Grains, view, new BlobClusterOptions(), _store),
            new TransferPeers(_connections, options),
            options,
            new VoucherRegistry().Register(new GrantValidator([_grantKey])),
            _grantKey,
            TimeProvider.System);
        ILoggerFactory loggers = _silo.Services.GetRequiredService<ILoggerFactory>();
        _handler = new TransferProtocolHandler(_service, Token, node => node == _member, loggers.CreateLogger<TransferProtocolHandler>());
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await _service!.DisposeAsync();
        await _connections!.DisposeAsync();
        await _endpoint!.DisposeAsync();
        await _store!.DisposeAsync();
        await _io!.DisposeAsync();
        await _silo!.DisposeAsync();
        _grantKey.Dispose();
        _identity.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_cluster_command_needs_the_admin_token_unless_it_comes_from_a_member()
    {
        ErrorReply wrong = await ServeForErrorAsync(_stranger, new TransferListRequest { Token = "wrong"u8.ToArray() }.ToBlock());
        Assert.Equal(BlobStatus.Unauthorized, wrong.Code);
        Assert.StartsWith("wrong token", wrong.Message, StringComparison.Ordinal);

        // The right token, or a member without one: an empty list (the series' end, nothing before it).
        foreach ((NodeId peer, string token) in new[] { (_stranger, Token), (_member, "") })
        {
            MemoryStream output = await ServeAsync(peer, new TransferListRequest { Token = Encoding.UTF8.GetBytes(token) }.ToBlock());
            Assert.Empty(await BlobReply.ReadSeriesAsync<ChannelReport>(output, default).ToListAsync());
            Assert.Equal(output.Length, output.Position);
        }
    }

    [Fact]
    public async Task A_channel_nobody_keeps_is_404_naming_it_for_a_command_and_for_a_peer()
    {
        ErrorReply show = await ServeForErrorAsync(_member, new TransferShowRequest(new ChannelRef(4242)).ToBlock());
        Assert.Equal(BlobStatus.NotFound, show.Code);
        Assert.Contains("4242", show.Message, StringComparison.Ordinal);

        ErrorReply control = await ServeForErrorAsync(_stranger, new TransferControl(77, TransferControlKind.Pause) { FromInitiator = false }.ToBlock());
        Assert.Equal(BlobStatus.NotFound, control.Code);
        Assert.Contains("77", control.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_sent_as_a_request_an_unknown_op_and_a_missing_id_are_400_each_with_a_sentence()
    {
        ErrorReply reply = await ServeForErrorAsync(_stranger, new TransferVoucherResultMessage(1, new VoucherResult("granary/grant/1", true, "Granted.")).ToBlock());
        Assert.Equal(BlobStatus.BadRequest, reply.Code);
        Assert.Contains("sent only as a reply", reply.Message, StringComparison.Ordinal);

        ErrorReply unknown = await ServeForErrorAsync(_stranger, new MetadataBlock([new("op", "teleport"), new("id", 1L)]));
        Assert.Equal(BlobStatus.BadRequest, unknown.Code);
        Assert.Contains("'teleport' is not a transfer message", unknown.Message, StringComparison.Ordinal);

        ErrorReply noId = await ServeForErrorAsync(_stranger, new MetadataBlock([new("op", "pause")]));
        Assert.Equal(BlobStatus.BadRequest, noId.Code);
        Assert.Contains("'id'", noId.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_log.Entries, e => e.Contains("Transfer request failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bytes_that_are_not_a_metadata_block_are_400_and_the_handler_serves_the_next_request()
    {
        var output = new MemoryStream();
        await _handler!.ServeAsync(_stranger, Remote, new MemoryStream("GET / HTTP/1.1\r\n\r\n"u8.ToArray()), output, default);
        output.Position = 0;
        var garbage = Assert.IsType<ErrorReply>(await BlobReply.ReadOrErrorAsync<OkReply>(output, default));
        Assert.Equal(BlobStatus.BadRequest, garbage.Code);

        ErrorReply next = await ServeForErrorAsync(_stranger, new TransferListRequest { Token = "wrong"u8.ToArray() }.ToBlock());
        Assert.Equal(BlobStatus.Unauthorized, next.Code);
    }

    private Task<MemoryStream> ServeAsync(NodeId peer, MetadataBlock request) =>
        InMemoryRequest.ServeAsync(request, (input, output) => _handler!.ServeAsync(peer, Remote, input, output, default));

    private Task<ErrorReply> ServeForErrorAsync(NodeId peer, MetadataBlock request) =>
        InMemoryRequest.ServeForErrorAsync(request, (input, output) => _handler!.ServeAsync(peer, Remote, input, output, default));
}
