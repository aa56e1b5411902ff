using Granary.Transfers.Channels;

namespace Granary.Transfers.Vouchers;

/// <summary>
/// A validator's decision (go-data-transfer's <c>ValidationResult</c>): accepted or not, the
/// voucher result to send back, and how the accepted channel must run.
/// </summary>
/// <param name="Accepted">Whether the channel may go ahead.</param>
/// <param name="Result">Sent to the other side; its message says why not, or what was granted.</param>
public sealed record VoucherValidation(bool Accepted, VoucherResult Result)
{
    /// <summary>Accept, but start paused (the responder resumes it later).</summary>
    public bool ForcePause { get; init; }

    /// <summary>Bytes the channel may move before it pauses for a new voucher; null: no limit.</summary>
    public long? DataLimit { get; init; }

    /// <summary>Hold the channel at the end for a final voucher before completing.</summary>
    public bool RequiresFinalization { get; init; }

    /// <summary>A refusal with <paramref name="message"/>.</summary>
    public static VoucherValidation Refuse(string type, string message) => new(false, new VoucherResult(type, false, message));
}
