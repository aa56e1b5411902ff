using CsCheck;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes tags: <see cref="BlobTags.Format"/>, which checks an uploader's (or a remote silo's) tags,
/// and <see cref="BlobTags.Parse"/>, which reads the canonical text back. Inputs: tag sets within and
/// beyond the limits (count, lengths, '=' and line breaks in keys and values), and canonical texts,
/// edited and random. Proves: Format refuses only with <see cref="ArgumentException"/> and what it
/// accepts parses back to the same tags; Parse refuses only with <see cref="FormatException"/>, and
/// whatever it reads formats and parses back the same; within the time and allocation bounds.
/// </summary>
public sealed class BlobTagsFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<string> Part = Gen.Frequency(
        (6, Values.Text(0, 12)),
        (1, Gen.OneOf(Interesting.TextTokens)),
        (1, Gen.OneOf(0, 1, 255, 256, 257).Select(n => new string('k', n))));

    private static readonly Gen<KeyValuePair<string, string>[]> TagSets = Gen.Select(Part, Part, (k, v) => KeyValuePair.Create(k, v))
        .Array[0, 40];

    [Fact]
    public void Format_checks_tags_or_refuses_with_ArgumentException() =>
        FuzzRunner.Run(output, "BlobTags.Format", TagSets, tags => tags.Sum(t => 2L * (t.Key.Length + t.Value.Length)) + 16, tags =>
        {
            if (!Documented.TryParse("BlobTags.Format", () => BlobTags.Format(tags), out string text, Rejection.Of<ArgumentException>()))
            {
                return false;
            }

            var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach ((string key, string value) in tags)
            {
                expected[key] = value;
            }

            IReadOnlyDictionary<string, string> parsed = Documented.Total("BlobTags.Parse", () => BlobTags.Parse(text));
            Documented.Require(parsed.Count == expected.Count && expected.All(t => parsed.TryGetValue(t.Key, out string? v) && v == t.Value), $"formatted tags {Printer.Text(text)} parse back differently");
            return true;
        });

    [Fact]
    public void Parse_reads_tag_text_or_refuses_with_FormatException() =>
        FuzzRunner.Run(output, "BlobTags.Parse", Inputs.Texts(Values.Tags.Select(BlobTags.Format)), input => input.Size, input =>
        {
            if (!Documented.TryParse("BlobTags.Parse", () => BlobTags.Parse(input.Text), out IReadOnlyDictionary<string, string> tags, Rejection.Of<FormatException>()))
            {
                Documented.Require(!input.Valid, "canonical tag text was refused");
                return false;
            }

            if (input.Valid)
            {
                Documented.Require(BlobTags.Format(tags) == input.Text, "canonical tag text does not format back to itself");
            }

            // Text that is not canonical (an unsorted or over-long list) may be refused by Format; what Format takes reads back the same.
            if (Documented.TryParse("BlobTags.Format", () => BlobTags.Format(tags), out string text, Rejection.Of<ArgumentException>()))
            {
                Documented.Require(BlobTags.Format(BlobTags.Parse(text)) == text, "tags do not survive a round trip through their canonical text");
            }

            return true;
        });
}
