using System.Diagnostics;
using System.Text;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// The shapes a random search rarely builds but an attacker would: the most values a block or a
/// collection may hold, nesting past the limit, digit runs as long as the input, declared lengths far
/// past the data. Proves, for each, the same invariants as the fuzz runs: the documented refusal or
/// an answer, within <see cref="FuzzRunner.AllocationBound"/> and a second.
/// </summary>
public sealed class WorstCaseTests(ITestOutputHelper output)
{
    public static TheoryData<string> Shapes => [.. Cases.Keys];

    private static readonly Dictionary<string, (byte[] Input, Func<byte[], bool> Parse)> Cases = new(StringComparer.Ordinal)
    {
        ["bencode: 4096 empty lists in a list"] = (Ascii("l" + Repeat("le", 4095) + "e"), Decode),
        ["bencode: 4096 empty dictionaries in a list"] = (Ascii("l" + Repeat("de", 4095) + "e"), Decode),
        ["bencode: 4097 values (one past the limit)"] = (Ascii("l" + Repeat("i0e", 4096) + "e"), Decode),
        ["bencode: lists nested 100 000 deep"] = (Ascii(Repeat("l", 100_000)), Decode),
        ["bencode: an integer of 100 000 digits"] = (Ascii("i" + Repeat("9", 100_000) + "e"), Decode),
        ["bencode: a string length of 100 000 digits"] = (Ascii(Repeat("9", 100_000)), Decode),
        ["bencode: a string declared 2^31 bytes long"] = (Ascii("2147483648:abc"), Decode),
        ["bencode: a string declared longer than the input"] = (Ascii("999999999:abc"), Decode),
        ["bencode: 4096 one-byte keys out of order"] = (Ascii("d" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"1:{(char)('z' - (i % 26))}i0e")) + "e"), Decode),
        ["block: the largest block of empty lists"] = (Inputs.Frame(Ascii("d1:al" + Repeat("le", 4093) + "ee")), Read),
        ["block: declared 99 999 bytes"] = (Ascii("99999:" + Repeat("x", 100)), Read),
        ["block: declared 16 384 bytes, 3 sent"] = (Ascii("16384:abc"), Read),
        ["block: a length of six digits"] = (Ascii("100000:"), Read),
        ["collection: 500 000 empty lists"] = (Ascii("granary-collection/1\nl" + Repeat("le", 500_000) + "e"), Collection),
        ["collection: 500 000 empty dictionaries"] = (Ascii("granary-collection/1\nl" + Repeat("de", 500_000) + "e"), Collection),
        ["collection: 200 000 entries of empty paths"] = (Ascii("granary-collection/2\nl" + Repeat("l0:e", 200_000) + "e"), Collection),
        ["collection: 100 000 entries"] = (Ascii("granary-collection/1\nl" + string.Concat(Enumerable.Range(0, 100_000).Select(i => $"l{i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2}:f/{i}32:{Repeat("h", 32)}i1ee")) + "e"), Collection),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Stays_within_the_bounds(string shape)
    {
        (byte[] input, Func<byte[], bool> parse) = Cases[shape];
        ParseBudget.Start(input.Length);
        var clock = Stopwatch.StartNew();
        bool accepted = parse(input);
        clock.Stop();
        output.WriteLine($"{shape}: {(accepted ? "accepted" : "refused")} {input.Length} bytes in {clock.Elapsed.TotalMilliseconds:F1} ms, allocating {ParseBudget.MostAllocated} B ({(double)ParseBudget.MostAllocated / input.Length:F1} per input byte)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(input.Length > 100_000 ? 5 : 1), $"{shape} took {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static bool Decode(byte[] input) => Documented.TryParse("Bencode.Decode", () => Bencode.Decode(input), out _, Rejection.Of<BencodeException>());

    private static bool Read(byte[] input) =>
        Documented.TryParse("MetadataBlock.ReadAsync", () => MetadataBlock.ReadAsync(new MemoryStream(input), CancellationToken.None).GetAwaiter().GetResult(), out _, Rejection.Status(BlobStatus.BadRequest));

    private static bool Collection(byte[] input) => Documented.Total("BlobCollection.TryDecode", () => BlobCollection.TryDecode(input, out _, out _));

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();
}
