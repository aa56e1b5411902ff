namespace Granary.Transfers.Messages;

/// <summary><c>show</c>: one channel's <see cref="ChannelReport"/> (404 if this cluster keeps no such channel).</summary>
public sealed record TransferShowRequest(ChannelRef Channel) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "show";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => RefFields(Channel);
}
