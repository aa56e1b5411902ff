using Granary.Blobs.Client.Transfers;
using Granary.Transfers.Channels;

namespace Granary.Blobs.Tests;

/// <summary>A voucher as one line of text: it reads back as itself, and a cut, edited or oversized one is refused naming where it came from.</summary>
public sealed class VoucherTextTests
{
    public static TheoryData<string, byte[]> Vouchers() => new()
    {
        { "granary/grant/1", [1, 2, 3] },
        { "granary/token/1", "secret"u8.ToArray() },
        { "x", [0] },
        { new string('t', 64), [.. Enumerable.Range(0, Voucher.MaxBodyBytes).Select(i => (byte)(i * 7))] },
    };

    [Theory]
    [MemberData(nameof(Vouchers))]
    public void A_voucher_reads_back_as_itself_also_with_white_space_around_it(string type, byte[] body)
    {
        string text = VoucherText.Format(new Voucher(type, body));
        Assert.DoesNotContain('\n', text);
        foreach (string written in new[] { text, $"  {text}\n", $"\r\n{text}\r\n" })
        {
            Voucher back = VoucherText.Parse(written, "grant.txt");
            Assert.Equal(type, back.Type);
            Assert.Equal(body, back.Body.ToArray());
        }
    }

    [Fact]
    public void The_text_is_the_type_then_standard_base64()
    {
        Assert.Equal("granary/grant/1 AQID", VoucherText.Format(new Voucher("granary/grant/1", new byte[] { 1, 2, 3 })));
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "grant.txt does not hold a voucher: expected one line 'TYPE BASE64'" },
        { "   \n", "grant.txt does not hold a voucher" },
        { "granary/grant/1", "grant.txt does not hold a voucher" },
        { "AQID", "grant.txt does not hold a voucher" },
        { $"{new string('t', 65)} AQID", "grant.txt does not hold a voucher" },
        { "granary/grant/1 AQI", "grant.txt: the voucher's body is not base64" },
        { "granary/grant/1 not*base64", "grant.txt: the voucher's body is not base64" },
        { "granary/grant/1 AQID extra", "grant.txt: the voucher's body is not base64" },
        { $"granary/grant/1 {Convert.ToBase64String(new byte[Voucher.MaxBodyBytes + 1])}", "grant.txt: the voucher is 8193 bytes; the most accepted is 8192" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_text_is_a_format_error_naming_the_source(string text, string words)
    {
        var error = Assert.Throws<FormatException>(() => VoucherText.Parse(text, "grant.txt"));
        Assert.StartsWith(words, error.Message, StringComparison.Ordinal);
    }
}
