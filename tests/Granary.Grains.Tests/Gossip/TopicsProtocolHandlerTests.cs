using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Grains.Gossip;
using Granary.Grains.Tests.Silos;
using Granary.Testing;
using Granary.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Tests.Gossip;

/// <summary>
/// granary/topics/1's request handling on in-memory streams: what it refuses, and with which
/// status, before any gossip or grain is touched. The service behind it is the real one (a real
/// gossip node on a real QUIC endpoint, an in-process Orleans silo's grains); the subscribe and
/// publish paths that reach the swarm are covered end to end in Granary.Cluster.Tests.
/// </summary>
public sealed class TopicsProtocolHandlerTests : IAsyncLifetime
{
    private const string Token = "the-admin-token";
    private static readonly TopicId Topic = TopicId.FromName("handler-tests");

    private readonly TempDirectory _data = new();
    private readonly SiloLog _log = new();
    private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
    private readonly NodeId _stranger = NodeId.FromPublicKey([1]);
    private readonly NodeId _member = NodeId.FromPublicKey([2]);
    private GrainSilo? _silo;
    private QuicEndpoint? _endpoint;
    private GossipNode? _node;
    private GossipService? _gossip;
    private TopicsProtocolHandler? _handler;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _silo = await GrainSilo.StartAloneAsync(_data.File("grains.db"), _log);
        ILoggerFactory loggers = _silo.Services.GetRequiredService<ILoggerFactory>();
        _endpoint = QuicEndpoint.Bind(new QuicEndpointOptions { Identity = _identity });
        var options = new GossipOptions();
        _node = new GossipNode(_endpoint, options, loggers.CreateLogger<GossipNode>());
        _gossip = new GossipService(_node, _silo.Grains, options, loggers.CreateLogger<GossipService>());
        _handler = new TopicsProtocolHandler(_gossip, Token, node => node == _member, loggers.CreateLogger<TopicsProtocolHandler>());
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await _gossip!.DisposeAsync();
        await _node!.DisposeAsync();
        await _endpoint!.DisposeAsync();
        await _silo!.DisposeAsync();
        _identity.Dispose();
        _data.Dispose();
    }

    [Theory]
    [InlineData("subscribe")]
    [InlineData("publish")]
    [InlineData("topics")]
    public async Task A_stranger_with_a_wrong_token_gets_401_for_every_request(string op)
    {
        TopicRequest request = op switch
        {
            "subscribe" => new TopicSubscribeRequest(Topic, "handler-tests"),
            "publish" => new TopicPublishRequest(Topic, null, "hi"u8.ToArray(), DeliveryScope.Swarm),
            _ => new TopicListRequest(),
        };
        Assert.Equal(op, request.Operation);
        ErrorReply error = await ServeForErrorAsync(_stranger, (request with { Token = "wrong"u8.ToArray() }).ToBlock());
        Assert.Equal(BlobStatus.Unauthorized, error.Code);
        Assert.StartsWith("wrong token", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _gossip!.JoinedTopics); // refused before any swarm was joined
    }

    [Fact]
    public async Task Only_a_member_silo_may_publish_cluster_events_even_with_the_admin_token()
    {
        var forged = new TopicPublishRequest(TopicId.FromName(TopicsProtocol.ClusterEventsTopic), null, "{\"event\":\"membership\"}"u8.ToArray(), DeliveryScope.Swarm) { Token = Encoding.UTF8.GetBytes(Token) };
        ErrorReply error = await ServeForErrorAsync(_stranger, forged.ToBlock());
        Assert.Equal(BlobStatus.Forbidden, error.Code);
        Assert.Contains(TopicsProtocol.ClusterEventsTopic, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _gossip!.JoinedTopics);
    }

    [Fact]
    public async Task A_publish_over_the_size_limit_is_413_before_the_swarm_is_joined()
    {
        var options = new GossipOptions();
        var big = new TopicPublishRequest(Topic, null, new byte[options.MaxMessageSize + 1], DeliveryScope.Swarm);
        ErrorReply error = await ServeForErrorAsync(_member, big.ToBlock());
        Assert.Equal(BlobStatus.TooLarge, error.Code);
        Assert.Contains($"at most {options.MaxMessageSize} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _gossip!.JoinedTopics);
    }

    [Fact]
    public async Task An_unknown_op_is_405_and_a_missing_topic_is_400_each_with_a_sentence()
    {
        ErrorReply unknown = await ServeForErrorAsync(_member, new MetadataBlock([new("op", "shout"), new("token", Encoding.UTF8.GetBytes(Token))]));
        Assert.Equal(BlobStatus.UnknownOperation, unknown.Code);
        Assert.Contains("'shout' is not a topics request", unknown.Message, StringComparison.Ordinal);

        ErrorReply noTopic = await ServeForErrorAsync(_member, new MetadataBlock([new("op", "publish"), new("content", new byte[] { 1 })]));
        Assert.Equal(BlobStatus.BadRequest, noTopic.Code);
        Assert.Contains("topic", noTopic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_a_metadata_block_are_400_and_the_handler_serves_the_next_request()
    {
        var output = new MemoryStream();
        await _handler!.ServeAsync(_member, new MemoryStream("GET / HTTP/1.1\r\n\r\n"u8.ToArray()), output, Task.Delay(Timeout.Infinite), default);
        output.Position = 0;
        var garbage = Assert.IsType<ErrorReply>(await BlobReply.ReadOrErrorAsync<TopicPublished>(output, default));
        Assert.Equal(BlobStatus.BadRequest, garbage.Code);

        ErrorReply next = await ServeForErrorAsync(_stranger, new TopicListRequest { Token = "wrong"u8.ToArray() }.ToBlock());
        Assert.Equal(BlobStatus.Unauthorized, next.Code);
    }

    [Fact]
    public async Task A_client_that_sends_nothing_gets_no_reply_and_no_error_is_logged()
    {
        var output = new MemoryStream();
        await _handler!.ServeAsync(_member, new MemoryStream(), output, Task.Delay(Timeout.Infinite), default);
        Assert.Equal(0, output.Length);
        Assert.DoesNotContain(_log.Entries, e => e.Contains("Topics request failed", StringComparison.Ordinal));
    }

    private Task<ErrorReply> ServeForErrorAsync(NodeId peer, MetadataBlock request) =>
        InMemoryRequest.ServeForErrorAsync(request, (input, output) => _handler!.ServeAsync(peer, input, output, Task.Delay(Timeout.Infinite), default));
}
