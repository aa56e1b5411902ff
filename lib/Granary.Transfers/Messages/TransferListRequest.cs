namespace Granary.Transfers.Messages;

/// <summary><c>list</c>: every channel this cluster keeps (both sides, newest first), one <see cref="ChannelReport"/> block each, then an end block.</summary>
public sealed record TransferListRequest : TransferAdminRequest
{
    /// <summary>The op on the wire.</summary>
    public const string Op = "list";

    /// <inheritdoc/>
    public override string Operation => Op;

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() => [];
}
