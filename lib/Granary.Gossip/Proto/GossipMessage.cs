namespace Granary.Gossip.Proto;

/// <summary>
/// A message between two peers of one topic: HyParView's membership messages and PlumTree's
/// broadcast messages, as typed records (the Net layer frames them). <typeparamref name="TPeer"/>
/// identifies peers (a node id on the network, a number in the simulator).
/// </summary>
/// <typeparam name="TPeer">The peer identity.</typeparam>
public abstract record GossipMessage<TPeer>
    where TPeer : notnull
{
    /// <summary>True for messages that carry an application payload (counted by RMR).</summary>
    public virtual bool IsPayload => false;
}
