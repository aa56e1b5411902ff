namespace Granary.Gossip.Sim;

/// <summary>
/// How one broadcast spread, in the simulator's terms (iroh-gossip's simulator metrics):
/// delivered and missed among the nodes alive when it was sent, RMR, LDH and the time until the
/// last delivery.
/// </summary>
/// <param name="Sender">The node that broadcast.</param>
/// <param name="Expected">Nodes alive and joined, other than the sender.</param>
/// <param name="Delivered">Of those, how many received it.</param>
/// <param name="PayloadMessages">Messages carrying its content that reached a live node (duplicates included).</param>
/// <param name="LastDeliveryHop">LDH: the most links any copy crossed before delivery.</param>
/// <param name="TimeToLastDelivery">From the broadcast to the last delivery.</param>
/// <param name="MissedNodes">The expected nodes that did not receive it.</param>
public sealed record BroadcastReport(int Sender, int Expected, int Delivered, long PayloadMessages, int LastDeliveryHop, TimeSpan TimeToLastDelivery, IReadOnlyList<int> MissedNodes)
{
    /// <summary>Expected nodes that did not receive it.</summary>
    public int Missed => MissedNodes.Count;

    /// <summary>Delivered / expected, as a percentage.</summary>
    public double DeliveryPercent => Expected == 0 ? 100 : 100.0 * Delivered / Expected;

    /// <summary>
    /// RMR, relative message redundancy (PlumTree's metric): payload messages per node reached,
    /// minus the one a spanning tree needs: m / (n − 1) − 1 with n the nodes reached including the
    /// sender. 0 is a perfect tree; flooding over 5 neighbours is about 4.
    /// </summary>
    public double RelativeMessageRedundancy => Delivered == 0 ? 0 : ((double)PayloadMessages / Delivered) - 1;
}
