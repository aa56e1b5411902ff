using CsCheck;
using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.Fuzz.Tests;

/// <summary>CsCheck generators of every valid <c>granary/gossip/1</c> frame and <c>granary/topics/1</c> request and reply, built by the protocol's own encoders.</summary>
internal static class GossipMessages
{
    /// <summary>The largest gossip content the fuzzed reader accepts: the default topic limit.</summary>
    public const int MaxContent = 4096;

    /// <summary>A topic id.</summary>
    public static readonly Gen<TopicId> Topic = Gen.Byte.Array[TopicId.Size].Select(bytes => new TopicId(bytes));

    private static readonly Gen<int> Round = Gen.Int[0, GossipWire.MaxRound];

    private static readonly Gen<int> TimeToLive = Gen.Int[0, GossipWire.MaxTimeToLive];

    private static readonly Gen<byte[]> Content = Gen.Frequency((8, Gen.Byte.Array[0, 200]), (1, Gen.Byte.Array[0, MaxContent]));

    /// <summary>Every HyParView and PlumTree message.</summary>
    public static readonly Gen<GossipMessage<SiloTicket>> Message = Gen.OneOf<GossipMessage<SiloTicket>>(
        Gen.Const<GossipMessage<SiloTicket>>(new JoinMessage<SiloTicket>()),
        Gen.Select(Values.Ticket, TimeToLive, (peer, ttl) => (GossipMessage<SiloTicket>)new ForwardJoinMessage<SiloTicket>(peer, ttl)),
        Gen.Enum<NeighborPriority>().Select(p => (GossipMessage<SiloTicket>)new NeighborMessage<SiloTicket>(p)),
        Gen.Bool.Select(alive => (GossipMessage<SiloTicket>)new DisconnectMessage<SiloTicket>(alive)),
        Gen.Select(Values.Ticket, Values.Ticket.Array[0, GossipWire.MaxPeers], TimeToLive, (origin, peers, ttl) => (GossipMessage<SiloTicket>)new ShuffleMessage<SiloTicket>(origin, peers, ttl)),
        Values.Ticket.Array[0, GossipWire.MaxPeers].Select(peers => (GossipMessage<SiloTicket>)new ShuffleReplyMessage<SiloTicket>(peers)),
        Gen.Select(Values.Hash, Content, Round, Gen.Enum<DeliveryScope>(), (id, content, round, scope) => (GossipMessage<SiloTicket>)new GossipPayloadMessage<SiloTicket>(id, content, round, scope)),
        Gen.Select(Values.Hash, Round).Array[0, 20].Select(ids => (GossipMessage<SiloTicket>)new IHaveMessage<SiloTicket>([.. ids])),
        Gen.Select(Values.Hash.Nullable(0.5), Round, (id, round) => (GossipMessage<SiloTicket>)new GraftMessage<SiloTicket>(id, round)),
        Gen.Const<GossipMessage<SiloTicket>>(new PruneMessage<SiloTicket>()));

    /// <summary>A gossip frame's block, as <see cref="GossipWire.Encode"/> writes it.</summary>
    public static readonly Gen<MetadataBlock> Frame = Gen.Select(Topic, Message, GossipWire.Encode);

    private static readonly Gen<string?> Name = Gen.Frequency((3, Values.Text(0, 40)), (1, Values.Text(0, 85))).Null(0.3);

    /// <summary>Every request of <c>granary/topics/1</c>, with a token.</summary>
    public static readonly Gen<TopicRequest> TopicRequest = Gen.Select(
        Gen.OneOf<TopicRequest>(
            Gen.Select(Topic, Name, (topic, name) => (TopicRequest)new TopicSubscribeRequest(topic, name)),
            Gen.Select(Topic, Name, Content, Gen.Enum<DeliveryScope>(), (topic, name, content, scope) => (TopicRequest)new TopicPublishRequest(topic, name, content, scope)),
            Gen.Const<TopicRequest>(new TopicListRequest())),
        Values.Opaque,
        (request, token) => request with { Token = token });

    /// <summary>Every reply of <c>granary/topics/1</c>.</summary>
    public static readonly Gen<BlobReply> TopicReply = Gen.OneOf<BlobReply>(
        Gen.Select(Gen.Enum<TopicEventKind>(), Content, Values.Node.Nullable(0.5), Round, Gen.Enum<DeliveryScope>(), Gen.Long[0, long.MaxValue], (kind, content, from, hops, scope, count) =>
            (BlobReply)new TopicEvent(kind, content, from, hops, scope, count)),
        Gen.Select(Topic, Name, Values.Time, Values.Ticket.Array[0, 6], (topic, name, created, silos) => (BlobReply)new TopicReport(topic, name, created, silos)),
        Gen.Bool.Select(duplicate => (BlobReply)new TopicPublished(duplicate)),
        Gen.Const<BlobReply>(SeriesEnd.Instance),
        BlobMessages.Error.Select(e => (BlobReply)e));
}
