using System.Globalization;
using System.Text;

namespace Granary.Blobs.Protocol;

/// <summary>
/// Bencode (as in BitTorrent and seed 001), for the metadata blocks of the blobs protocol.
/// Values: <see cref="long"/>, <see cref="byte"/>[] strings, <see cref="List{Object}"/> lists and
/// <see cref="SortedDictionary{String, Object}"/> dictionaries (keys sorted, as the format requires).
/// Decoding is bounded: nesting depth, item count and string length, so a hostile peer cannot
/// make the silo allocate or recurse without limit.
/// </summary>
public static class Bencode
{
    private const int MaxDepth = 4;
    private const int MaxItems = 4096;

    /// <summary>Encodes a value.</summary>
    public static byte[] Encode(object value)
    {
        var output = new MemoryStream();
        Write(output, value);
        return output.ToArray();
    }

    /// <summary>Decodes exactly one value that fills <paramref name="input"/>, of at most <paramref name="maxItems"/> values in all.</summary>
    /// <param name="input">The bytes.</param>
    /// <param name="maxItems">Most values in all.</param>
    /// <param name="dictionaries">False for a format that has none (a collection): one is refused at once, since an empty dictionary costs ~128 bytes to build from 2 bytes of input.</param>
    /// <exception cref="BencodeException">Not well-formed bencode, trailing bytes, a dictionary where <paramref name="dictionaries"/> is false, or beyond the limits.</exception>
    public static object Decode(ReadOnlySpan<byte> input, int maxItems = MaxItems, bool dictionaries = true)
    {
        int position = 0;
        int items = 0;
        object value = Read(input, ref position, 0, ref items, (maxItems, dictionaries));
        return position == input.Length ? value : throw new BencodeException($"{input.Length - position} unexpected bytes after the value at byte {position}.");
    }

    private static void Write(Stream output, object value)
    {
        switch (value)
        {
            case long number:
                output.Write(Encoding.ASCII.GetBytes($"i{number.ToString(CultureInfo.InvariantCulture)}e"));
                break;
            case int number:
                Write(output, (long)number);
                break;
            case string text:
                Write(output, Encoding.UTF8.GetBytes(text));
                break;
            case byte[] bytes:
                output.Write(Encoding.ASCII.GetBytes($"{bytes.Length.ToString(CultureInfo.InvariantCulture)}:"));
                output.Write(bytes);
                break;
            case IEnumerable<KeyValuePair<string, object>> dictionary:
                output.WriteByte((byte)'d');
                foreach (var (key, item) in dictionary.OrderBy(e => Encoding.UTF8.GetBytes(e.Key), RawBytes))
                {
                    Write(output, key);
                    Write(output, item);
                }

                output.WriteByte((byte)'e');
                break;
            case System.Collections.IEnumerable list:
                output.WriteByte((byte)'l');
                foreach (object item in list)
                {
                    Write(output, item);
                }

                output.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException($"Bencode has no form for {value?.GetType().Name ?? "null"}.", nameof(value));
        }
    }

    private static object Read(ReadOnlySpan<byte> input, ref int position, int depth, ref int items, (int MaxItems, bool Dictionaries) limits)
    {
        if (++items > limits.MaxItems)
        {
            throw new BencodeException($"More than {limits.MaxItems} values in one message.");
        }

        if (position >= input.Length)
        {
            throw new BencodeException($"The message ends at byte {position} where a value should start.");
        }

        byte kind = input[position];
        switch (kind)
        {
            case (byte)'i':
                int end = input[position..].IndexOf((byte)'e');
                if (end < 2 || !IsCanonicalInteger(input.Slice(position + 1, end - 1))
                    || !long.TryParse(input.Slice(position + 1, end - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                {
                    throw new BencodeException($"Malformed integer at byte {position}.");
                }

                position += end + 1;
                return number;
            case (byte)'l' or (byte)'d':
                if (depth >= MaxDepth)
                {
                    throw new BencodeException($"Nesting deeper than {MaxDepth} at byte {position}.");
                }

                if (kind == (byte)'d' && !limits.Dictionaries)
                {
                    throw new BencodeException($"A dictionary at byte {position}, where this message has none.");
                }

                position++;
                // Only the container this is (an empty list costs 32 bytes, an empty dictionary 128): a
                // hostile collection may hold millions of them, and building both for each made a
                // collection of empty lists cost 84 bytes per input byte.
                List<object>? list = kind == (byte)'l' ? [] : null;
                SortedDictionary<string, object>? dictionary = list is null ? new(StringComparer.Ordinal) : null;
                byte[]? previousKey = null;
                while (position < input.Length && input[position] != (byte)'e')
                {
                    if (list is not null)
                    {
                        list.Add(Read(input, ref position, depth + 1, ref items, limits));
                        continue;
                    }

                    if (Read(input, ref position, depth + 1, ref items, limits) is not byte[] keyBytes)
                    {
                        throw new BencodeException($"A dictionary key before byte {position} is not a string.");
                    }

                    // Bencode orders keys by their raw bytes (not by UTF-16 code units, which differ above U+FFFF).
                    string key = Encoding.UTF8.GetString(keyBytes);
                    if (previousKey is not null && previousKey.AsSpan().SequenceCompareTo(keyBytes) >= 0)
                    {
                        throw new BencodeException($"Dictionary key '{key}' is out of order or repeated.");
                    }

                    if (dictionary!.ContainsKey(key))
                    {
                        // Two keys that are not UTF-8 and decode to the same text: refuse rather than let one hide the other.
                        throw new BencodeException($"Dictionary key '{key}' is not UTF-8 and collides with another key.");
                    }

                    previousKey = keyBytes;
                    dictionary[key] = Read(input, ref position, depth + 1, ref items, limits);
                }

                if (position >= input.Length)
                {
                    throw new BencodeException("A list or dictionary is not closed.");
                }

                position++;
                return (object?)list ?? dictionary!;
            case >= (byte)'0' and <= (byte)'9':
                int colon = input[position..].IndexOf((byte)':');
                if (colon < 1 || colon > 10 || !int.TryParse(input.Slice(position, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                    || length > input.Length - position - colon - 1)
                {
                    throw new BencodeException($"Malformed or overlong string at byte {position}.");
                }

                byte[] bytes = input.Slice(position + colon + 1, length).ToArray();
                position += colon + 1 + length;
                return bytes;
            default:
                throw new BencodeException($"Unexpected byte 0x{kind:x2} at byte {position}.");
        }
    }

    /// <summary>
    /// Bencode's one spelling of an integer: digits with an optional '-', no '+', no leading zero,
    /// no "-0" — so one value has one encoding, and a block's bytes are a function of its value.
    /// </summary>
    private static bool IsCanonicalInteger(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> digits = text.Length > 0 && text[0] == (byte)'-' ? text[1..] : text;
        return digits.Length > 0
            && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && (digits[0] != (byte)'0' || (digits.Length == 1 && digits.Length == text.Length));
    }

    /// <summary>Keys in bencode's order: by their UTF-8 bytes.</summary>
    private static readonly Comparer<byte[]> RawBytes = Comparer<byte[]>.Create((left, right) => left.AsSpan().SequenceCompareTo(right));
}
