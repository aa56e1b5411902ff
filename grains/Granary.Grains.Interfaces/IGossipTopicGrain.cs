using Granary.Blobs.Protocol;

namespace Granary.Grains;

/// <summary>
/// One gossip topic of the cluster (key: the topic id, 64 lowercase hex digits): its name, when it
/// was created, and the silos in its swarm now — the bootstrap peers a joining silo is given. A
/// silo joins when a client subscribes or publishes through it and leaves when its last one goes;
/// the swarm itself (who is a neighbour of whom, the broadcast tree) lives in the silos, not here.
/// </summary>
public interface IGossipTopicGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="silo"/> in the swarm (written before this returns) and gives the topic with the other serving silos in it.</summary>
    /// <param name="silo">The joining silo's ticket.</param>
    /// <param name="name">The topic's name if the client gave one: kept if the topic has none yet.</param>
    Task<GossipTopicInfo> JoinAsync(SiloTicket silo, string? name);

    /// <summary>Removes <paramref name="silo"/> from the swarm (written before this returns).</summary>
    Task LeaveAsync(SiloTicket silo);

    /// <summary>The topic and the serving silos in its swarm; <see cref="GossipTopicInfo.Created"/> is null if no silo ever joined.</summary>
    Task<GossipTopicInfo> GetAsync();
}
