using Granary.Blobs.Protocol;

namespace Granary.Grains;

/// <summary>What <see cref="IGossipTopicGrain"/> knows of a topic.</summary>
/// <param name="Topic">The topic id, 64 lowercase hex digits.</param>
/// <param name="Name">Its name, if a client gave one.</param>
/// <param name="Created">When a silo first joined; null if none ever did.</param>
/// <param name="Silos">The serving silos in its swarm (the caller excluded, for a join).</param>
[GenerateSerializer, Immutable]
public sealed record GossipTopicInfo(
    [property: Id(0)] string Topic,
    [property: Id(1)] string? Name,
    [property: Id(2)] DateTimeOffset? Created,
    [property: Id(3)] IReadOnlyList<SiloTicket> Silos);
