using System.Buffers;
using System.Text;

namespace Granary.Cli.Hashing;

/// <summary>
/// The b3sum line format, <c>HEX  NAME</c>, with b3sum 1.2.0's rules (b3sum/what_does_check_do.md):
/// a name containing a backslash or a newline is escaped (<c>\\</c>, <c>\n</c>) and the line then
/// starts with a backslash; lines end at '\n' only, so a carriage return is part of the name.
/// </summary>
internal static class ChecksumLine
{
    private const int HexLength = 64;
    private const int PrefixLength = HexLength + 2;
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    private static readonly SearchValues<char> AnyHex = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Whether a name must be escaped to stay on one line.</summary>
    public static bool NeedsEscape(string name) =>
        name.Contains('\\', StringComparison.Ordinal) || name.Contains('\n', StringComparison.Ordinal);

    /// <summary>The name with backslashes and newlines escaped.</summary>
    public static string Escape(string name) =>
        name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>
    /// Parses one line of a check file (without its '\n'). Rejects exactly what b3sum rejects, in
    /// the same order, with a reason that says what to fix. <c>Shown</c> is the name as the line
    /// writes it (escaped, with the leading backslash): b3sum prints that in OK/FAILED lines.
    /// </summary>
    public static (string Hex, string Name, string Shown)? TryParse(string line, out string? problem)
    {
        if (line.Length == 0)
        {
            problem = "empty line (a check file has one '<hash>  <path>' per line and no blank lines)";
            return null;
        }

        bool escaped = line[0] == '\\';
        string rest = escaped ? line[1..] : line;
        if (Encoding.UTF8.GetByteCount(rest) <= PrefixLength)
        {
            problem = "line too short: expected a 64-digit hash, two spaces and a path";
            return null;
        }

        if (rest.AsSpan(0, Math.Min(PrefixLength, rest.Length)).ContainsAnyExceptInRange((char)0, (char)127))
        {
            problem = "not a checksum line: expected a 64-digit hash, two spaces and a path";
            return null;
        }

        if (rest[HexLength] != ' ' || rest[HexLength + 1] != ' ')
        {
            problem = "expected two spaces between the 64-digit hash and the path (the '*' binary marker is not used)";
            return null;
        }

        string hex = rest[..HexLength];
        if (hex.AsSpan().ContainsAnyExcept(LowerHex))
        {
            problem = hex.AsSpan().ContainsAnyExcept(AnyHex)
                ? $"'{hex}' is not a hex BLAKE3 hash"
                : $"'{hex}' has uppercase hex digits: b3sum writes and accepts lowercase only";
            return null;
        }

        string written = rest[PrefixLength..];
        string name = written;
        if (escaped && !TryUnescape(written, out name))
        {
            problem = "invalid escape in the path: a line starting with '\\' may only use \\\\ and \\n";
            return null;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            problem = "the path contains a NUL character, which no file name can";
            return null;
        }

        if (name.Contains('\uFFFD', StringComparison.Ordinal))
        {
            problem = "the path contains U+FFFD, which stands for bytes that were not UTF-8: the real name is lost, so it cannot be checked";
            return null;
        }

        problem = null;
        return (hex, name, escaped ? "\\" + written : written);
    }

    private static bool TryUnescape(string written, out string name)
    {
        var unescaped = new StringBuilder(written.Length);
        for (int i = 0; i < written.Length; i++)
        {
            if (written[i] != '\\')
            {
                unescaped.Append(written[i]);
                continue;
            }

            if (i + 1 == written.Length || written[i + 1] is not ('\\' or 'n'))
            {
                name = written;
                return false;
            }

            unescaped.Append(written[i + 1] == 'n' ? '\n' : '\\');
            i++;
        }

        name = unescaped.ToString();
        return true;
    }
}
