namespace Granary.Transfers.Channels;

/// <summary>
/// An authorization sent on a channel (go-data-transfer's voucher): a type name registered with a
/// validator on the other side, and its encoded body, which only that validator reads.
/// </summary>
/// <param name="Type">The registered voucher type, e.g. "granary/grant/1".</param>
/// <param name="Body">The encoded voucher; at most <see cref="MaxBodyBytes"/>.</param>
public sealed record Voucher(string Type, ReadOnlyMemory<byte> Body)
{
    /// <summary>The largest voucher body accepted from the network: 8 KiB, so that a message with one fits a 16 KiB metadata block.</summary>
    public const int MaxBodyBytes = 8 * 1024;
}
