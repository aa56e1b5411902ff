namespace Granary.Transfers.Channels;

/// <summary>A validator's answer to a voucher, sent back on the channel (go-data-transfer's voucher result).</summary>
/// <param name="Type">The voucher type it answers.</param>
/// <param name="Accepted">Whether the voucher was accepted.</param>
/// <param name="Message">Why not, or what the acceptance grants (e.g. "up to 1 GiB until 2026-12-31").</param>
public sealed record VoucherResult(string Type, bool Accepted, string Message);
