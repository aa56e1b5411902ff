namespace Granary.Gossip.Topics;

/// <summary>
/// <c>granary/topics/1</c>: how a cluster's clients use gossip topics through a silo (subscribe,
/// publish, list). The silo joins the topic's swarm among the silos (<c>granary/gossip/1</c>) on
/// their behalf, so a client needs no overlay of its own. One request per bidirectional stream.
/// </summary>
public static class TopicsProtocol
{
    /// <summary>The ALPN.</summary>
    public const string Alpn = "granary/topics/1";

    /// <summary>Longest topic name, in UTF-8 bytes: 256.</summary>
    public const int MaxNameBytes = 256;

    /// <summary>The topic on which every silo publishes cluster events (<c>granary cluster watch</c>).</summary>
    public const string ClusterEventsTopic = "granary/cluster-events";
}
