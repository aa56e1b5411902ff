using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>
/// One field-level edit of a metadata block's dictionary. The block stays well-formed bencode, so the
/// input gets past the framing and tests the typed parser: a field missing, of the wrong type, out of
/// bounds, taken from another kind of message.
/// </summary>
/// <param name="Kind">What to do.</param>
/// <param name="Key">Which field (modulo the count), or which vocabulary word for <see cref="FieldMutationKind.Add"/>.</param>
/// <param name="Extent">Which bound or length.</param>
/// <param name="Value">A random bencode value for <see cref="FieldMutationKind.Replace"/> and <see cref="FieldMutationKind.Add"/>.</param>
public sealed record FieldMutation(FieldMutationKind Kind, uint Key, uint Extent, object Value)
{
    /// <summary>Integers at every bound the protocols name, one past them, and the type's edges.</summary>
    public static readonly long[] Extremes =
    [
        0, 1, -1, 2, 16, 17, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4096, 8192, 8193, 16384, 16385, 65535, 65536,
        int.MaxValue, (long)int.MaxValue + 1, int.MinValue, uint.MaxValue, (long)uint.MaxValue + 1,
        3_153_600_000, 3_153_600_001, 253_402_300_799_999, 253_402_300_800_000, -253_402_300_800_000,
        long.MaxValue, long.MaxValue - 1, long.MinValue, long.MinValue + 1,
    ];

    private static readonly int[] Lengths = [0, 1, 31, 32, 33, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4096, 4097, 6145, 8192, 8193];

    private static readonly int[] Counts = [0, 1, 2, 15, 16, 17, 255, 256, 257, 300, 1000];

    /// <summary><paramref name="fields"/> (a copy, not changed) with this edit; <paramref name="other"/> is another valid message's fields.</summary>
    public SortedDictionary<string, object> Apply(IReadOnlyDictionary<string, object> fields, IReadOnlyDictionary<string, object> other)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(other);
        var edited = new SortedDictionary<string, object>(fields.ToDictionary(), StringComparer.Ordinal);
        string? key = edited.Count == 0 ? null : edited.Keys.ElementAt((int)(Key % (uint)edited.Count));
        switch (Kind)
        {
            case FieldMutationKind.Remove when key is not null:
                edited.Remove(key);
                break;
            case FieldMutationKind.Replace when key is not null:
                edited[key] = Value;
                break;
            case FieldMutationKind.ExtremeInteger when key is not null:
                edited[key] = Extremes[Extent % (uint)Extremes.Length];
                break;
            case FieldMutationKind.RandomBytes when key is not null:
                edited[key] = Noise(Lengths[Extent % (uint)Lengths.Length], (int)Key);
                break;
            case FieldMutationKind.LongText when key is not null:
                edited[key] = Encoding.UTF8.GetBytes(new string((char)('a' + (Key % 26)), Lengths[Extent % (uint)Lengths.Length]));
                break;
            case FieldMutationKind.BigList when key is not null:
                int count = Counts[Extent % (uint)Counts.Length];
                object item = fields[key] is List<object> { Count: > 0 } list ? list[0] : Value;
                edited[key] = Enumerable.Repeat(item, count).ToList();
                break;
            case FieldMutationKind.Add:
                edited[Vocabulary.Keys[Key % (uint)Vocabulary.Keys.Length]] = Value;
                break;
            case FieldMutationKind.Splice when other.Count > 0:
                KeyValuePair<string, object> taken = other.ElementAt((int)(Key % (uint)other.Count));
                edited[taken.Key] = taken.Value;
                break;
            case FieldMutationKind.ChangeWord:
                edited[Extent % 2 == 0 || !edited.ContainsKey("t") ? "op" : "t"] = Encoding.UTF8.GetBytes(Vocabulary.Words[Key % (uint)Vocabulary.Words.Length]);
                break;
            case FieldMutationKind.Descend when key is not null:
                edited[key] = Inside(edited[key]);
                break;
            default:
                break;
        }

        return edited;
    }

    /// <summary>The value with one element inside it replaced or removed (a copy).</summary>
    private object Inside(object value)
    {
        switch (value)
        {
            case List<object> { Count: > 0 } list:
                var items = new List<object>(list);
                int at = (int)(Extent % (uint)items.Count);
                if (Extent % 3 == 0)
                {
                    items.RemoveAt(at);
                }
                else
                {
                    items[at] = items[at] is SortedDictionary<string, object> inner && Extent % 3 == 1 ? Nested(inner) : Value;
                }

                return items;
            case SortedDictionary<string, object> dictionary:
                return Nested(dictionary);
            default:
                return Value;
        }
    }

    private SortedDictionary<string, object> Nested(SortedDictionary<string, object> dictionary) =>
        (this with { Kind = (FieldMutationKind)(Extent % (uint)FieldMutationKind.Descend) }).Apply(dictionary, dictionary);

    private static byte[] Noise(int count, int seed)
    {
        byte[] noise = new byte[count];
        uint state = (uint)seed | 1;
        for (int i = 0; i < count; i++)
        {
            state = (state * 1664525) + 1013904223;
            noise[i] = (byte)(state >> 24);
        }

        return noise;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}({Key}, {Extent}, {Printer.Print(Value is byte[] b ? b : Value)})";
}
