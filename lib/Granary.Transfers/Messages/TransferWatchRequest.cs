namespace Granary.Transfers.Messages;

/// <summary>
/// <c>watch</c>: the events of one channel (or, with no channel, of every channel this cluster
/// keeps) as they happen, each a <see cref="ChannelReport"/> with its event and sequence number, in
/// order per channel. A watch of one channel starts with its current state and ends once it is final.
/// </summary>
public sealed record TransferWatchRequest(ChannelRef? Channel) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "watch";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => Channel is { } channel ? RefFields(channel) : [];
}
