using System.Text;
using CsCheck;

namespace Granary.Fuzz.Tests;

/// <summary>CsCheck generators of bencode values as <see cref="Granary.Blobs.Protocol.Bencode"/> holds them: integers (extremes often), byte strings (protocol words often), lists and dictionaries up to the decoder's depth.</summary>
internal static class BencodeValues
{
    /// <summary>An integer, a string or a protocol word.</summary>
    public static readonly Gen<object> Leaf = Gen.Frequency<object>(
        (3, Gen.Long.Select(n => (object)n)),
        (3, Gen.OneOf(FieldMutation.Extremes).Select(n => (object)n)),
        (3, Gen.Byte.Array[0, 40].Select(b => (object)b)),
        (1, Gen.Byte.Array[32].Select(b => (object)b)),
        (2, Gen.OneOf(Vocabulary.Words).Select(w => (object)Encoding.UTF8.GetBytes(w))));

    /// <summary>Any value, nested at most four deep (the decoder's limit) and a little more now and then.</summary>
    public static readonly Gen<object> Any = Nested(5);

    /// <summary>Any value within the decoder's limits: four levels of nesting, few items.</summary>
    public static readonly Gen<object> Within = Nested(4);

    /// <summary>A dictionary with keys from the protocols' vocabulary.</summary>
    public static readonly Gen<SortedDictionary<string, object>> Dictionary = Dict(Nested(3));

    private static Gen<object> Nested(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency<object>(
            (6, Leaf),
            (1, Nested(depth - 1).List[0, 6].Select(items => (object)items)),
            (1, Dict(Nested(depth - 1)).Select(d => (object)d)));

    private static Gen<SortedDictionary<string, object>> Dict(Gen<object> values) =>
        Gen.Select(Gen.OneOf(Vocabulary.Keys), values).Array[0, 6].Select(entries =>
        {
            var dictionary = new SortedDictionary<string, object>(StringComparer.Ordinal);
            foreach ((string key, object value) in entries)
            {
                dictionary[key] = value;
            }

            return dictionary;
        });
}
