using System.Globalization;
using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>Inputs for a person reading a failure: bytes as ASCII with <c>\xNN</c> escapes, text with control characters escaped.</summary>
internal static class Printer
{
    /// <summary>Any input: bytes and text escaped, anything else by its <see cref="object.ToString"/>.</summary>
    public static string Print(object? input) => input switch
    {
        null => "null",
        byte[] bytes => Bytes(bytes),
        string text => Text(text),
        _ => input.ToString() ?? string.Empty,
    };

    /// <summary>Bytes as quoted ASCII, with every other byte as <c>\xNN</c>, and their count.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 16);
        text.Append(CultureInfo.InvariantCulture, $"{bytes.Length} bytes \"");
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : string.Create(CultureInfo.InvariantCulture, $"\\x{b:x2}"));
        }

        return text.Append('"').ToString();
    }

    /// <summary>Text quoted, with control, format and surrogate characters as <c>\uNNNN</c>.</summary>
    public static string Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var printed = new StringBuilder(text.Length + 16);
        printed.Append(CultureInfo.InvariantCulture, $"{text.Length} chars \"");
        foreach (char c in text)
        {
            printed.Append(char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format || c is '"' or '\\'
                ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")
                : c.ToString());
        }

        return printed.Append('"').ToString();
    }
}
