using Granary.Transfers.Channels;

namespace Granary.Blobs.Client.Transfers;

/// <summary>
/// A voucher as a one-line text a person can mail, paste or keep in a file:
/// <c>TYPE BASE64</c> (e.g. <c>granary/grant/1 ZGlyNDpwdWxs…</c>). What <c>granary grant</c> writes and
/// <c>--grant FILE</c> / <c>-Grant</c> read.
/// </summary>
public static class VoucherText
{
    /// <summary>The voucher's text form.</summary>
    public static string Format(Voucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        return $"{voucher.Type} {Convert.ToBase64String(voucher.Body.Span)}";
    }

    /// <summary>Reads a voucher's text form (surrounding white space allowed).</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">Where it came from (a file name), for the message.</param>
    /// <exception cref="FormatException">Not <c>TYPE BASE64</c>, or over <see cref="Voucher.MaxBodyBytes"/>.</exception>
    public static Voucher Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0].Length > 64)
        {
            throw new FormatException($"{source} does not hold a voucher: expected one line 'TYPE BASE64' as 'granary grant' writes it.");
        }

        byte[] body;
        try
        {
            body = Convert.FromBase64String(parts[1].Trim());
        }
        catch (FormatException)
        {
            throw new FormatException($"{source}: the voucher's body is not base64 (was the file cut or edited?).");
        }

        return body.Length <= Voucher.MaxBodyBytes
            ? new Voucher(parts[0], body)
            : throw new FormatException($"{source}: the voucher is {body.Length} bytes; the most accepted is {Voucher.MaxBodyBytes}.");
    }
}
