using System.Text;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.PowerShell;

/// <summary>A message <c>Receive-GossipMessage</c> received.</summary>
/// <param name="Topic">The topic as given (a name, or an id).</param>
/// <param name="TopicId">The topic's id (64 hex digits).</param>
/// <param name="Content">The message's bytes.</param>
/// <param name="From">The silo it reached the subscriber's silo from (its node id); the subscriber's own silo for a message published through it.</param>
/// <param name="Hops">Links it crossed between silos (0: published through the subscriber's own silo).</param>
/// <param name="Scope">Swarm, or Neighbors for a message sent to direct neighbours only.</param>
/// <param name="Received">When this client received it (UTC).</param>
public sealed record GossipMessage(string Topic, string TopicId, byte[] Content, string? From, int Hops, DeliveryScope Scope, DateTimeOffset Received)
{
    /// <summary>The content as UTF-8 text (invalid bytes replaced).</summary>
    public string Text => Encoding.UTF8.GetString(Content);

    /// <summary>The object for event <paramref name="e"/> of <paramref name="topic"/>.</summary>
    internal static GossipMessage Of(string topic, TopicId id, TopicEvent e) =>
        new(topic, id.ToString(), e.Content.ToArray(), e.From?.ToString(), e.Hops, e.Scope, DateTimeOffset.UtcNow);
}
