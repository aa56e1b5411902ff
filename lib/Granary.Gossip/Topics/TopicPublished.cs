using Granary.Blobs.Protocol;

namespace Granary.Gossip.Topics;

/// <summary>The answer to a <see cref="TopicPublishRequest"/>.</summary>
/// <param name="Duplicate">
/// True if an identical message went out on the topic within the id retention (90 s): a
/// message's id is the hash of its content, so the swarm delivers such a repeat to no one.
/// </param>
public sealed record TopicPublished(bool Duplicate) : BlobReply, IBlobReply<TopicPublished>
{
    /// <inheritdoc/>
    public static TopicPublished Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new TopicPublished(block.Number("duplicate") == 1);
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [new("duplicate", Duplicate ? 1L : 0L)];
}
