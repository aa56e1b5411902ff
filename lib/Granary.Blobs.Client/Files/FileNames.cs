using System.Text;

namespace Granary.Blobs.Files;

/// <summary>File names as bytes: what fits the file system, and how to show any name unambiguously.</summary>
public static class FileNames
{
    /// <summary>The longest file name (one path component) Linux file systems accept: 255 bytes of UTF-8 (NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>
    /// <paramref name="name"/> printable and unambiguous, as <c>ls -b</c> does: valid UTF-8 stays,
    /// every byte that is not part of valid UTF-8 and every control character becomes <c>\xNN</c>,
    /// and a backslash becomes <c>\\</c> (so a name that really contains <c>\xFF</c> is told apart).
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length);
        while (!name.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(name, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                text.Append(@"\x").Append(name[0].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                name = name[1..];
                continue;
            }

            if (Rune.IsControl(rune))
            {
                text.Append(@"\x").Append(rune.Value.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (rune.Value == '\\')
            {
                text.Append(@"\\");
            }
            else
            {
                text.Append(rune.ToString());
            }

            name = name[consumed..];
        }

        return text.ToString();
    }

    /// <summary><see cref="Escape(ReadOnlySpan{byte})"/> of a name .NET already holds as a string.</summary>
    public static string Escape(string name) => Escape(Encoding.UTF8.GetBytes(name ?? throw new ArgumentNullException(nameof(name))));
}
