using System.Text;

namespace Granary.Cli.Hashing;

/// <summary>
/// The b3sum / sha256sum line format: <c>HEX  NAME</c>. A name containing a backslash or a
/// newline is escaped (<c>\\</c>, <c>\n</c>) and the line then starts with a backslash, so that
/// every line stays one line and can be parsed back.
/// </summary>
internal static class ChecksumLine
{
    /// <summary>Whether a name must be escaped to stay on one line.</summary>
    public static bool NeedsEscape(string name) =>
        name.Contains('\\', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal);

    /// <summary>The name with backslashes and newlines escaped.</summary>
    public static string Escape(string name) =>
        name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Parses one line of a check file; null with a reason when it is not a checksum line.</summary>
    public static (string Hex, string Name)? TryParse(string line, out string? problem)
    {
        bool escaped = line.StartsWith('\\');
        if (escaped)
        {
            line = line[1..];
        }

        int separator = line.IndexOf("  ", StringComparison.Ordinal);
        if (separator <= 0 || separator == line.Length - 2)
        {
            problem = "not a checksum line; expected '<hex hash>  <path>'";
            return null;
        }

        string hex = line[..separator];
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            problem = $"'{hex}' is not a 64-digit hex BLAKE3 hash";
            return null;
        }

        string name = line[(separator + 2)..];
        if (escaped)
        {
            var unescaped = new StringBuilder(name.Length);
            for (int i = 0; i < name.Length; i++)
            {
                if (name[i] == '\\' && i + 1 < name.Length && (name[i + 1] == '\\' || name[i + 1] == 'n'))
                {
                    unescaped.Append(name[i + 1] == 'n' ? '\n' : '\\');
                    i++;
                }
                else
                {
                    unescaped.Append(name[i]);
                }
            }

            name = unescaped.ToString();
        }

        problem = null;
        return (hex.ToLowerInvariant(), name);
    }
}
