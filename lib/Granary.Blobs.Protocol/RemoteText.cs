using System.Globalization;
using System.Text;

namespace Granary.Blobs.Protocol;

/// <summary>
/// Text that came from another party (an error sentence, a validator's message, a path echoed
/// back), made safe to print: control characters — a newline, a terminal escape — become visible
/// escapes (<c>\n</c>, <c>\x1b</c>), and so do invisible format characters (<c>\u202e</c>, a
/// right-to-left override), so a hostile peer cannot rewrite the user's terminal, forge lines of
/// output or make a name read backwards. Everything printable, any script, is kept as it is.
/// </summary>
public static class RemoteText
{
    /// <summary><paramref name="text"/> with every control character escaped; null stays null.</summary>
    public static string? Printable(string? text)
    {
        if (text is null || !text.Any(Hidden))
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
                _ when Hidden(c) => c <= 0xFF ? $"\\x{((int)c).ToString("x2", CultureInfo.InvariantCulture)}" : $"\\u{((int)c).ToString("x4", CultureInfo.InvariantCulture)}",
                _ => c.ToString(),
            });
        }

        return printable.ToString();
    }

    /// <summary>A control character, or an invisible format character (a right-to-left override, a zero-width space) that could make text read as something it is not.</summary>
    private static bool Hidden(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
