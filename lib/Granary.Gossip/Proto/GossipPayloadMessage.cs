using Granary.Hashing;

namespace Granary.Gossip.Proto;

/// <summary>PlumTree <c>GOSSIP</c>: a broadcast's content, sent eagerly along the tree.</summary>
/// <param name="Id">The message id: the BLAKE3 hash of the content (the same content is one message).</param>
/// <param name="Content">The application's bytes.</param>
/// <param name="Round">Hops from the sender (0 when sent by it).</param>
/// <param name="Scope">Swarm, or the sender's neighbours only.</param>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public sealed record GossipPayloadMessage<TPeer>(Blake3Hash Id, ReadOnlyMemory<byte> Content, int Round, DeliveryScope Scope) : GossipMessage<TPeer>
    where TPeer : notnull
{
    /// <inheritdoc/>
    public override bool IsPayload => true;
}
