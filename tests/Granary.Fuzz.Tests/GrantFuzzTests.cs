using Granary.Transfers.Vouchers;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <see cref="Grant.Decode"/>, which a silo runs on the voucher body of every <c>open</c> under
/// <c>granary/grant/1</c> before checking its signature, with grants as <see cref="Grant.ToVoucher"/>
/// writes them, edited (bencode structure, field values, hash lists, lengths) and raw bytes. Proves: it
/// refuses only with <see cref="FormatException"/>; valid grants decode to themselves; accepted grants
/// keep their bounds (1 to 256 hashes, a positive quota) and survive a round trip; within the time and
/// allocation bounds.
/// </summary>
public sealed class GrantFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Grants_are_decoded_or_refused_with_FormatException() =>
        FuzzRunner.Run(output, "Grant.Decode", Inputs.Bytes(TransferMessages.GrantBody), input => input.Bytes.Length, input =>
        {
            if (!Documented.TryParse("Grant.Decode", () => Grant.Decode(input.Bytes), out Grant grant, Rejection.Of<FormatException>()))
            {
                Documented.Require(!input.Valid, "a valid grant was refused");
                return false;
            }

            Documented.Require(grant.Hashes.Count is > 0 and <= Grant.MaxHashes && grant.ByteQuota > 0, "an accepted grant breaks its bounds");
            byte[] encoded = grant.ToVoucher().Body.ToArray();
            if (input.Valid)
            {
                Frames.RequireSame(input.Bytes, encoded, "a valid grant did not decode to itself");
            }

            Frames.RequireSame(encoded, Grant.Decode(encoded).ToVoucher().Body.ToArray(), "an accepted grant does not survive a round trip");
            return true;
        });
}
