namespace Granary.Transfers.Messages;

/// <summary><c>command</c>: pause, resume, restart or cancel one channel from this side; the reply is its <see cref="ChannelReport"/> after the command.</summary>
public sealed record TransferCommandRequest(ChannelRef Channel, TransferCommand Command) : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "command";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
        [.. RefFields(Channel), new("command", Command.ToString().ToLowerInvariant())];
}
