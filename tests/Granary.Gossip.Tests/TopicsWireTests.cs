using System.Net;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Transport;

namespace Granary.Gossip.Tests;

/// <summary>
/// granary/topics/1's records through their wire form (a real frame, read back): each request and
/// reply round-trips; hostile fields are refused with a sentence, never an exception of another kind.
/// </summary>
public sealed class TopicsWireTests
{
    private static readonly TopicId Topic = TopicId.FromName("wire");

    [Fact]
    public async Task Every_request_round_trips_with_its_token()
    {
        TopicRequest[] requests =
        [
            new TopicSubscribeRequest(Topic, "wire") { Token = "secret"u8.ToArray() },
            new TopicSubscribeRequest(Topic, null),
            new TopicPublishRequest(Topic, "wire", new byte[] { 0, 1, 255 }, DeliveryScope.Neighbors) { Token = "t"u8.ToArray() },
            new TopicPublishRequest(Topic, null, ReadOnlyMemory<byte>.Empty, DeliveryScope.Swarm),
            new TopicListRequest(),
        ];
        foreach (TopicRequest request in requests)
        {
            TopicRequest back = TopicRequest.Parse(await ThroughWireAsync(request.ToBlock()));
            Assert.Equal(request.GetType(), back.GetType());
            Assert.Equal(request.Token.ToArray(), back.Token.ToArray());
            switch ((request, back))
            {
                case (TopicSubscribeRequest a, TopicSubscribeRequest b):
                    Assert.Equal((a.Topic, a.Name), (b.Topic, b.Name));
                    break;
                case (TopicPublishRequest a, TopicPublishRequest b):
                    Assert.Equal((a.Topic, a.Name, a.Scope), (b.Topic, b.Name, b.Scope));
                    Assert.Equal(a.Content.ToArray(), b.Content.ToArray());
                    break;
            }
        }
    }

    [Fact]
    public async Task Every_event_and_report_round_trips()
    {
        NodeId node = NodeId.Parse(new string('a', 52));
        TopicEvent[] events =
        [
            TopicEvent.Joined(3),
            TopicEvent.Lagged(17),
            new(TopicEventKind.Received, "hi"u8.ToArray(), node, 4, DeliveryScope.Neighbors, 0),
            new(TopicEventKind.NeighborUp, ReadOnlyMemory<byte>.Empty, node, 0, DeliveryScope.Swarm, 0),
            new(TopicEventKind.NeighborDown, ReadOnlyMemory<byte>.Empty, node, 0, DeliveryScope.Swarm, 0),
        ];
        foreach (TopicEvent e in events)
        {
            TopicEvent back = TopicEvent.Parse(await ThroughWireAsync(e.ToBlock()));
            Assert.Equal((e.Kind, e.From, e.Hops, e.Scope, e.Count), (back.Kind, back.From, back.Hops, back.Scope, back.Count));
            Assert.Equal(e.Content.ToArray(), back.Content.ToArray());
        }

        var silo = new SiloTicket(node, new IPEndPoint(IPAddress.Loopback, 4433));
        var report = new TopicReport(Topic, "wire", DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_000), [silo]);
        TopicReport again = TopicReport.Parse(await ThroughWireAsync(report.ToBlock()));
        Assert.Equal((report.Topic, report.Name, report.Created), (again.Topic, again.Name, again.Created));
        Assert.Equal(silo, Assert.Single(again.Silos));
    }

    [Theory]
    [InlineData("no op", "has no 'op'")]
    [InlineData("unknown op", "not a topics request")]
    [InlineData("short topic", "'topic' id (32 bytes)")]
    [InlineData("long name", "at most 256 bytes")]
    [InlineData("bad scope", "'scope' must be 0")]
    [InlineData("publish without content", "needs its 'content'")]
    [InlineData("topic as a number", "'topic' must be a string of bytes")]
    public async Task Hostile_requests_are_refused_with_a_sentence(string what, string expected)
    {
        MetadataBlock block = what switch
        {
            "no op" => new([new("topic", Topic.Bytes.ToArray())]),
            "unknown op" => new([new("op", "explode\u001b[2J")]),
            "short topic" => new([new("op", "subscribe"), new("topic", new byte[31])]),
            "long name" => new([new("op", "subscribe"), new("topic", Topic.Bytes.ToArray()), new("name", new string('n', 257))]),
            "bad scope" => new([new("op", "publish"), new("topic", Topic.Bytes.ToArray()), new("content", new byte[1]), new("scope", 2L)]),
            "publish without content" => new([new("op", "publish"), new("topic", Topic.Bytes.ToArray())]),
            "topic as a number" => new([new("op", "subscribe"), new("topic", 5L)]),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        MetadataBlock received = await ThroughWireAsync(block);
        var error = Assert.Throws<BlobProtocolException>(() => TopicRequest.Parse(received));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Message);
        Assert.Equal(what == "unknown op" ? BlobStatus.UnknownOperation : BlobStatus.BadRequest, error.Status);
    }

    [Theory]
    [InlineData("kind", "boom\u0007", "not a topic event")]
    [InlineData("from", "not-a-node", "is not a node id")]
    [InlineData("hops", null, "out of range")]
    public async Task Hostile_events_are_refused_with_a_sentence(string field, string? text, string expected)
    {
        var fields = new List<KeyValuePair<string, object>> { new("status", 200L), new("kind", "received") };
        fields.RemoveAll(f => f.Key == field);
        fields.Add(new(field, text is null ? (object)100_000L : text));
        MetadataBlock received = await ThroughWireAsync(new MetadataBlock(fields));
        var error = Assert.Throws<BlobProtocolException>(() => TopicEvent.Parse(received));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0007', error.Message);
    }

    [Fact]
    public void A_cluster_event_round_trips_as_json_and_anything_else_is_not_one()
    {
        var e = new ClusterEvent("repair", "granary:x@127.0.0.1:1", DateTimeOffset.FromUnixTimeSeconds(1_780_000_000)) { Count = 12 };
        ClusterEvent? back = ClusterEvent.TryParse(e.ToBytes());
        Assert.Equal(e, back);
        Assert.Contains("\"event\":\"repair\"", Encoding.UTF8.GetString(e.ToBytes()), StringComparison.Ordinal);
        Assert.DoesNotContain("status", Encoding.UTF8.GetString(e.ToBytes()), StringComparison.Ordinal);
        Assert.EndsWith("repair         granary:x@127.0.0.1:1  12 blobs short of R copies", e.ToString(), StringComparison.Ordinal);
        Assert.Null(ClusterEvent.TryParse("not json"u8));
        Assert.Null(ClusterEvent.TryParse("{\"silo\":\"x\"}"u8));
        Assert.Null(ClusterEvent.TryParse("[1,2]"u8));
        Assert.Null(ClusterEvent.TryParse([0xff, 0xfe]));
    }

    [Fact]
    public void A_topic_typed_as_64_hex_digits_is_that_id_and_anything_else_is_a_name()
    {
        Assert.Equal(Topic, TopicId.FromText(Topic.ToString()));
        Assert.Equal(Topic, TopicId.FromText(Topic.ToString().ToUpperInvariant()));
        Assert.Equal(TopicId.FromName("chat"), TopicId.FromText("chat"));
        Assert.Equal(TopicId.FromName(new string('g', 64)), TopicId.FromText(new string('g', 64)));
    }

    private static async Task<MetadataBlock> ThroughWireAsync(MetadataBlock block)
    {
        var stream = new MemoryStream();
        await block.WriteAsync(stream, CancellationToken.None);
        stream.Position = 0;
        return await MetadataBlock.ReadAsync(stream, CancellationToken.None) ?? throw new InvalidOperationException("no block");
    }
}
