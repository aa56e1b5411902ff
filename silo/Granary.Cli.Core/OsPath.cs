using System.Text;

namespace Granary.Cli;

/// <summary>
/// Linux file names are bytes, not text. A name that is not valid UTF-8 is carried in a .NET string
/// with each byte that cannot be decoded held as a lone surrogate U+DC80..U+DCFF (Python's
/// "surrogateescape"): the string converts back to exactly the original bytes, and no valid UTF-8
/// name can produce such a string, so the mapping is unambiguous.
/// </summary>
internal static class OsPath
{
    private const char EscapeBase = '\uDC00';

    /// <summary>The name for these bytes; undecodable bytes are kept as escapes.</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        Span<char> pair = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                text.Append(pair[..rune.EncodeToUtf16(pair)]);
            }
            else
            {
                foreach (byte b in bytes[..consumed])
                {
                    text.Append((char)(EscapeBase + b));
                }
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The bytes the operating system knows this name by.</summary>
    public static byte[] ToBytes(string name)
    {
        var bytes = new List<byte>(name.Length);
        Span<byte> encoded = stackalloc byte[4];
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                int length = new Rune(c, name[i + 1]).EncodeToUtf8(encoded);
                bytes.AddRange(encoded[..length]);
                i++;
            }
            else if (c is >= '\uDC80' and <= '\uDCFF')
            {
                bytes.Add((byte)(c - EscapeBase));
            }
            else
            {
                // Any other lone surrogate cannot come from the OS; it is written as U+FFFD.
                int length = (Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar).EncodeToUtf8(encoded);
                bytes.AddRange(encoded[..length]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Whether the name holds bytes that are not valid UTF-8.</summary>
    public static bool HasRawBytes(string name) => name.Any(c => c is >= '\uDC80' and <= '\uDCFF');

    /// <summary>
    /// The name as text for output: invalid UTF-8 becomes U+FFFD, one per maximal invalid sequence,
    /// as Rust's to_string_lossy (and so b3sum) writes it.
    /// </summary>
    public static string ToDisplay(string name) =>
        HasRawBytes(name) ? Encoding.UTF8.GetString(ToBytes(name)) : name;
}
