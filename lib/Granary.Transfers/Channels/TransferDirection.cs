namespace Granary.Transfers.Channels;

/// <summary>Which way the data goes, seen from the initiator (go-data-transfer's push and pull requests).</summary>
public enum TransferDirection
{
    /// <summary>The initiator sends the data; the responder receives and validates the push.</summary>
    Push,

    /// <summary>The initiator receives the data; the responder sends it and validates the pull.</summary>
    Pull,
}
