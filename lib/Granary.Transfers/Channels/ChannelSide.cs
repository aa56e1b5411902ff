namespace Granary.Transfers.Channels;

/// <summary>Which side of a channel a party keeps: both sides may live in one cluster.</summary>
public enum ChannelSide
{
    /// <summary>The side that opened the channel.</summary>
    Initiator,

    /// <summary>The side that answered it.</summary>
    Responder,
}
