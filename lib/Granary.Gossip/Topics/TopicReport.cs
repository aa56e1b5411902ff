using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;

namespace Granary.Gossip.Topics;

/// <summary>One topic the cluster knows, as <c>topics</c> lists it.</summary>
/// <param name="Topic">Its id.</param>
/// <param name="Name">The name its first subscriber gave, if any.</param>
/// <param name="Created">When a silo first joined it.</param>
/// <param name="Silos">The silos in its swarm now (each joined for its own subscribers or publishers).</param>
public sealed record TopicReport(TopicId Topic, string? Name, DateTimeOffset Created, IReadOnlyList<SiloTicket> Silos) : BlobReply, IBlobReply<TopicReport>
{
    /// <inheritdoc/>
    /// <exception cref="BlobProtocolException">400: a missing or malformed field.</exception>
    public static TopicReport Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        TopicId topic = block.Bytes("topic") is { Length: TopicId.Size } bytes ? new TopicId(bytes) : throw new BlobProtocolException(BlobStatus.BadRequest, "a topic report needs its 'topic' id");
        long created = block.Number("created") ?? 0;
        string? name = block.Text("name") is { } text ? RemoteText.Printable(text) : null;
        return new TopicReport(topic, name, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(created, 0, 253_402_300_799_999)), block.Tickets("silos"));
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields()
    {
        yield return new("topic", Topic.Bytes.ToArray());
        if (Name is not null)
        {
            yield return new("name", Name);
        }

        yield return new("created", Created.ToUnixTimeMilliseconds());
        yield return new("silos", MetadataBlock.TicketsField(Silos));
    }
}
