using Granary.Blobs.Protocol;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Transport;

namespace Granary.Gossip.Topics;

/// <summary>One event of a <see cref="TopicSubscribeRequest"/>'s stream.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Content">For <see cref="TopicEventKind.Received"/>: the message's bytes; otherwise empty.</param>
/// <param name="From">For Received: the silo it came from (the subscriber's own silo for a message published through it); for NeighborUp/Down: the neighbour. Null for Joined and Lagged.</param>
/// <param name="Hops">For Received: links crossed between silos (0: published through the subscriber's own silo).</param>
/// <param name="Scope">For Received: swarm or neighbours-only.</param>
/// <param name="Count">For Joined: other silos in the swarm; for Lagged: events dropped. Otherwise 0.</param>
public sealed record TopicEvent(TopicEventKind Kind, ReadOnlyMemory<byte> Content, NodeId? From, int Hops, DeliveryScope Scope, long Count) : BlobReply, IBlobReply<TopicEvent>
{
    /// <summary>The kinds' wire words.</summary>
    private static readonly string[] Words = ["joined", "received", "neighbor-up", "neighbor-down", "lagged"];

    /// <summary>The first event of a subscription.</summary>
    public static TopicEvent Joined(int otherSilos) => new(TopicEventKind.Joined, ReadOnlyMemory<byte>.Empty, null, 0, DeliveryScope.Swarm, otherSilos);

    /// <summary>Events dropped because the subscriber read too slowly.</summary>
    public static TopicEvent Lagged(long dropped) => new(TopicEventKind.Lagged, ReadOnlyMemory<byte>.Empty, null, 0, DeliveryScope.Swarm, dropped);

    /// <inheritdoc/>
    /// <exception cref="BlobProtocolException">400: an unknown kind, a bad node id, or a number out of range.</exception>
    public static TopicEvent Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        string kind = block.Text("kind") ?? throw Bad("a topic event needs its 'kind'");
        int index = Array.IndexOf(Words, kind);
        if (index < 0)
        {
            throw Bad($"'{RemoteText.Printable(kind)}' is not a topic event ({string.Join(", ", Words)})");
        }

        NodeId? from = block.Text("from") switch
        {
            null => null,
            var text when NodeId.TryParse(text, out NodeId node) => node,
            var text => throw Bad($"'from' '{RemoteText.Printable(text)}' is not a node id"),
        };
        long hops = block.Number("hops") ?? 0;
        long count = block.Number("count") ?? 0;
        if (hops is < 0 or > GossipWire.MaxRound || count < 0)
        {
            throw Bad("a topic event's 'hops' or 'count' is out of range");
        }

        DeliveryScope scope = block.Number("scope") == 1 ? DeliveryScope.Neighbors : DeliveryScope.Swarm;
        return new TopicEvent((TopicEventKind)index, block.Bytes("content") ?? [], from, (int)hops, scope, count);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return new("kind", Words[(int)Kind]);
        if (!Content.IsEmpty)
        {
            yield return new("content", Content.ToArray());
        }

        if (From is { } from)
        {
            yield return new("from", from.ToString());
        }

        yield return new("hops", (long)Hops);
        yield return new("scope", Scope == DeliveryScope.Neighbors ? 1L : 0L);
        yield return new("count", Count);
    }

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);
}
