using System.Globalization;
using System.Text;

namespace Granary.Blobs.Protocol;

/// <summary>
/// Text that came from another party (an error sentence, a validator's message, a path echoed
/// back), made safe to print: control characters — a newline, a terminal escape — become visible
/// escapes (<c>\n</c>, <c>\x1b</c>), so a hostile peer cannot rewrite the user's terminal or forge
/// lines of output. Everything printable, any script, is kept as it is.
/// </summary>
public static class RemoteText
{
    /// <summary><paramref name="text"/> with every control character escaped; null stays null.</summary>
    public static string? Printable(string? text)
    {
        if (text is null || !text.Any(char.IsControl))
        {
            return text;
        }

        var printable = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            printable.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => c <= 0xFF ? $"\\x{((int)c).ToString("x2", CultureInfo.InvariantCulture)}" : $"\\u{((int)c).ToString("x4", CultureInfo.InvariantCulture)}",
                _ => c.ToString(),
            });
        }

        return printable.ToString();
    }
}
