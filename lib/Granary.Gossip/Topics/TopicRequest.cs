using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;

namespace Granary.Gossip.Topics;

/// <summary>
/// A client's request on <see cref="TopicsProtocol.Alpn"/>: subscribe, publish or list topics. One
/// record per kind, each with one encoding (<see cref="ToBlock"/>) and one parse
/// (<see cref="Parse"/>). Each carries the cluster's admin <see cref="Token"/>.
/// </summary>
public abstract record TopicRequest
{
    /// <summary>The cluster's admin token, UTF-8.</summary>
    public ReadOnlyMemory<byte> Token { get; init; }

    /// <summary>The op on the wire.</summary>
    public abstract string Operation { get; }

    /// <summary>The request's block.</summary>
    public MetadataBlock ToBlock() => new(Fields().Append(new("op", Operation)).Append(new("token", Token.ToArray())));

    /// <summary>Reads any topics request.</summary>
    /// <exception cref="BlobProtocolException">400: an unknown op, a missing or malformed field, a name over <see cref="TopicsProtocol.MaxNameBytes"/>.</exception>
    public static TopicRequest Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        byte[] token = block.Bytes("token") ?? [];
        TopicRequest request = block.Text("op") switch
        {
            TopicSubscribeRequest.Op => new TopicSubscribeRequest(ReadTopic(block), ReadName(block)),
            TopicPublishRequest.Op => new TopicPublishRequest(
                ReadTopic(block),
                ReadName(block),
                block.Bytes("content") ?? throw Bad("a publish needs its 'content'"),
                block.Number("scope") switch
                {
                    null or 0 => DeliveryScope.Swarm,
                    1 => DeliveryScope.Neighbors,
                    var other => throw Bad($"'scope' must be 0 (the swarm) or 1 (neighbours only), not {other}"),
                }),
            TopicListRequest.Op => new TopicListRequest(),
            null => throw Bad("the request has no 'op'"),
            var op => throw new BlobProtocolException(BlobStatus.UnknownOperation, $"'{RemoteText.Printable(op)}' is not a topics request (subscribe, publish, topics)"),
        };
        return request with { Token = token };
    }

    /// <summary>The fields of a topic and its name.</summary>
    protected static IEnumerable<KeyValuePair<string, object>> TopicFields(TopicId topic, string? name)
    {
        yield return new("topic", topic.Bytes.ToArray());
        if (name is not null)
        {
            yield return new("name", name);
        }
    }

    /// <summary>The request's fields other than op and token.</summary>
    protected abstract IEnumerable<KeyValuePair<string, object>> Fields();

    private static TopicId ReadTopic(MetadataBlock block) =>
        block.Bytes("topic") is { Length: TopicId.Size } bytes ? new TopicId(bytes) : throw Bad($"the request needs the 'topic' id ({TopicId.Size} bytes)");

    private static string? ReadName(MetadataBlock block) => block.Text("name") switch
    {
        null => null,
        var name when Encoding.UTF8.GetByteCount(name) > TopicsProtocol.MaxNameBytes => throw Bad($"a topic name is at most {TopicsProtocol.MaxNameBytes} bytes"),
        var name => name,
    };

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}
