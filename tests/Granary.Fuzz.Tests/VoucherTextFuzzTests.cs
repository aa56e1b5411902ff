using CsCheck;
using Granary.Blobs.Client.Transfers;
using Granary.Transfers.Channels;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <see cref="VoucherText.Parse"/>, which reads the voucher file a user was mailed
/// (<c>TYPE BASE64</c>, what <c>granary grant</c> writes and <c>--grant FILE</c> reads), with valid
/// voucher lines, edited (white space, base64 padding and alphabet, long types, splices) and random
/// text. Proves: it refuses only with <see cref="FormatException"/>; valid lines read back equal;
/// accepted vouchers are within <see cref="Voucher.MaxBodyBytes"/> and format to a line that reads back
/// the same; within the time and allocation bounds.
/// </summary>
/// <remarks>
/// Valid lines here have a body: <see cref="VoucherText.Format"/> writes a voucher with an empty body
/// as <c>TYPE </c>, which <see cref="VoucherText.Parse"/> refuses (no voucher type in use has one).
/// </remarks>
public sealed class VoucherTextFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Voucher_lines_are_read_or_refused_with_FormatException() =>
        FuzzRunner.Run(output, "VoucherText.Parse", Inputs.Texts(TransferMessages.Voucher.Where(v => !v.Type.Contains(' ', StringComparison.Ordinal) && !v.Body.IsEmpty).Select(VoucherText.Format)), input => input.Size, input =>
        {
            if (!Documented.TryParse("VoucherText.Parse", () => VoucherText.Parse(input.Text, "fuzz.grant"), out Voucher voucher, Rejection.Of<FormatException>()))
            {
                Documented.Require(!input.Valid, "a valid voucher line was refused");
                return false;
            }

            Documented.Require(voucher.Body.Length <= Voucher.MaxBodyBytes && voucher.Type.Length is > 0 and <= 64, "an accepted voucher breaks its bounds");
            string line = VoucherText.Format(voucher);
            Documented.Require(!input.Valid || line == input.Text, $"a valid voucher line read back as {Printer.Text(line)}");
            Voucher again = VoucherText.Parse(line, "fuzz.grant");
            Documented.Require(again.Type == voucher.Type && again.Body.Span.SequenceEqual(voucher.Body.Span), "an accepted voucher does not survive a round trip");
            return true;
        });
}
