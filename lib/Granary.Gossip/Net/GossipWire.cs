using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Hashing;

namespace Granary.Gossip.Net;

/// <summary>
/// <c>granary/gossip/1</c> on the wire: each message is one metadata block (the blobs protocol's
/// framing, at most 16 KiB) with the topic, a type and that type's fields. Every count and size
/// read is bounded; a block that breaks a bound is refused with a sentence naming the field.
/// </summary>
public static class GossipWire
{
    /// <summary>The ALPN.</summary>
    public const string Alpn = "granary/gossip/1";

    /// <summary>Most peers one shuffle (or its reply) carries: 16.</summary>
    public const int MaxPeers = 16;

    /// <summary>Most ids one IHave carries: 256.</summary>
    public const int MaxIds = 256;

    /// <summary>Largest time to live accepted: 64.</summary>
    public const int MaxTimeToLive = 64;

    /// <summary>Largest hop count (round) a message may carry: 1024.</summary>
    public const int MaxRound = 1024;

    /// <summary>The block for <paramref name="message"/> in <paramref name="topic"/>.</summary>
    public static MetadataBlock Encode(TopicId topic, GossipMessage<SiloTicket> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        List<KeyValuePair<string, object>> fields = [new("topic", topic.Bytes.ToArray())];
        switch (message)
        {
            case JoinMessage<SiloTicket>:
                fields.Add(new("t", "join"));
                break;
            case ForwardJoinMessage<SiloTicket> forward:
                fields.AddRange([new("t", "forward-join"), new("peer", forward.Peer.ToString()), new("ttl", (long)forward.TimeToLive)]);
                break;
            case NeighborMessage<SiloTicket> neighbor:
                fields.AddRange([new("t", "neighbor"), new("priority", neighbor.Priority == NeighborPriority.High ? "high" : "low")]);
                break;
            case DisconnectMessage<SiloTicket> disconnect:
                fields.AddRange([new("t", "disconnect"), new("alive", disconnect.Alive ? 1L : 0L)]);
                break;
            case ShuffleMessage<SiloTicket> shuffle:
                fields.AddRange([new("t", "shuffle"), new("origin", shuffle.Origin.ToString()), new("peers", MetadataBlock.TicketsField(shuffle.Peers)), new("ttl", (long)shuffle.TimeToLive)]);
                break;
            case ShuffleReplyMessage<SiloTicket> reply:
                fields.AddRange([new("t", "shuffle-reply"), new("peers", MetadataBlock.TicketsField(reply.Peers))]);
                break;
            case GossipPayloadMessage<SiloTicket> gossip:
                fields.AddRange([new("t", "gossip"), new("id", gossip.Id.ToArray()), new("content", gossip.Content.ToArray()), new("round", (long)gossip.Round), new("scope", gossip.Scope == DeliveryScope.Swarm ? "swarm" : "neighbors")]);
                break;
            case IHaveMessage<SiloTicket> ihave:
                fields.AddRange([new("t", "ihave"), new("ids", ihave.Messages.SelectMany(m => m.Id.ToArray()).ToArray()), new("rounds", ihave.Messages.Select(m => (object)(long)m.Round).ToList())]);
                break;
            case GraftMessage<SiloTicket> graft:
                fields.AddRange([new("t", "graft"), new("round", (long)graft.Round)]);
                if (graft.Id is { } id)
                {
                    fields.Add(new("id", id.ToArray()));
                }

                break;
            case PruneMessage<SiloTicket>:
                fields.Add(new("t", "prune"));
                break;
            default:
                throw new ArgumentException($"{message.GetType().Name} is not a gossip message.", nameof(message));
        }

        return new MetadataBlock(fields);
    }

    /// <summary>The topic and message a block carries.</summary>
    /// <param name="block">A block as read from a peer.</param>
    /// <param name="maxContent">The largest content accepted (the topic's <see cref="GossipOptions.MaxMessageSize"/>).</param>
    /// <exception cref="BlobProtocolException">A missing or malformed field, or a bound broken (400); the message names it.</exception>
    public static (TopicId Topic, GossipMessage<SiloTicket> Message) Decode(MetadataBlock block, int maxContent)
    {
        ArgumentNullException.ThrowIfNull(block);
        byte[] topic = block.Bytes("topic") ?? throw Bad("a gossip message needs its 'topic' (32 bytes)");
        if (topic.Length != TopicId.Size)
        {
            throw Bad($"'topic' must be {TopicId.Size} bytes, not {topic.Length}");
        }

        GossipMessage<SiloTicket> message = block.Text("t") switch
        {
            "join" => new JoinMessage<SiloTicket>(),
            "forward-join" => new ForwardJoinMessage<SiloTicket>(Ticket(block, "peer"), Bounded(block, "ttl", MaxTimeToLive)),
            "neighbor" => new NeighborMessage<SiloTicket>(block.Text("priority") switch
            {
                "high" => NeighborPriority.High,
                "low" => NeighborPriority.Low,
                var other => throw Bad($"'priority' must be high or low, not '{RemoteText.Printable(other)}'"),
            }),
            "disconnect" => new DisconnectMessage<SiloTicket>(block.Number("alive") == 1),
            "shuffle" => new ShuffleMessage<SiloTicket>(Ticket(block, "origin"), Peers(block), Bounded(block, "ttl", MaxTimeToLive)),
            "shuffle-reply" => new ShuffleReplyMessage<SiloTicket>(Peers(block)),
            "gossip" => Gossip(block, maxContent),
            "ihave" => IHave(block),
            "graft" => new GraftMessage<SiloTicket>(block.Hash("id"), Bounded(block, "round", MaxRound)),
            "prune" => new PruneMessage<SiloTicket>(),
            var other => throw Bad($"'{RemoteText.Printable(other)}' is not a gossip message type"),
        };
        return (new TopicId(topic), message);
    }

    private static GossipPayloadMessage<SiloTicket> Gossip(MetadataBlock block, int maxContent)
    {
        byte[] content = block.Bytes("content") ?? throw Bad("a gossip message needs its 'content'");
        if (content.Length > maxContent)
        {
            throw Bad($"the content is {content.Length} bytes; this topic takes at most {maxContent}");
        }

        DeliveryScope scope = block.Text("scope") switch
        {
            "swarm" => DeliveryScope.Swarm,
            "neighbors" => DeliveryScope.Neighbors,
            var other => throw Bad($"'scope' must be swarm or neighbors, not '{RemoteText.Printable(other)}'"),
        };
        return new GossipPayloadMessage<SiloTicket>(block.RequiredHash("id", "A gossip message"), content, Bounded(block, "round", MaxRound), scope);
    }

    private static IHaveMessage<SiloTicket> IHave(MetadataBlock block)
    {
        byte[] ids = block.Bytes("ids") ?? throw Bad("an ihave needs its 'ids'");
        IReadOnlyList<long> rounds = block.Numbers("rounds") ?? throw Bad("an ihave needs its 'rounds'");
        if (ids.Length % Blake3Hash.Size != 0 || ids.Length / Blake3Hash.Size != rounds.Count || rounds.Count > MaxIds)
        {
            throw Bad($"'ids' must be 32 bytes per entry of 'rounds', at most {MaxIds} of them");
        }

        return new IHaveMessage<SiloTicket>([.. rounds.Select((round, i) => (new Blake3Hash(ids.AsSpan(i * Blake3Hash.Size, Blake3Hash.Size)), round is >= 0 and <= MaxRound ? (int)round : throw Bad($"a round must be 0 to {MaxRound}")))]);
    }

    private static List<SiloTicket> Peers(MetadataBlock block)
    {
        IReadOnlyList<SiloTicket> peers = block.Tickets("peers");
        return peers.Count <= MaxPeers ? [.. peers] : throw Bad($"'peers' lists {peers.Count} peers; at most {MaxPeers}");
    }

    private static SiloTicket Ticket(MetadataBlock block, string key)
    {
        string text = block.Text(key) ?? throw Bad($"the message needs '{key}' (a node ticket)");
        try
        {
            return SiloTicket.Parse(text);
        }
        catch (FormatException error)
        {
            throw Bad($"bad '{key}': {error.Message}");
        }
    }

    private static int Bounded(MetadataBlock block, string key, int max) =>
        block.Number(key) is { } n and >= 0 && n <= max ? (int)n : throw Bad($"'{key}' must be an integer from 0 to {max}");

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}
