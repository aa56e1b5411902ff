namespace Granary.Transfers.Messages;

/// <summary>Constants of <c>granary/transfer/1</c> (docs/protocol.md, Transfer channels).</summary>
public static class TransferProtocol
{
    /// <summary>The ALPN of transfer channels' control messages and of a cluster's transfer commands.</summary>
    public const string Alpn = "granary/transfer/1";
}
