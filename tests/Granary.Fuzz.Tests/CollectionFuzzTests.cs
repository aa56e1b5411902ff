using CsCheck;
using Granary.Blobs.Protocol;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes <see cref="BlobCollection.TryDecode"/>, which reads a collection blob that any uploader
/// may have written, and <see cref="BlobCollection.Resolve(string, CollectionEntry)"/>, which decides
/// where each entry lands on the downloader's disk. Inputs: valid collections of both versions (files
/// and empty directories) as <see cref="BlobCollection.Encode"/> writes them, edited (headers, list
/// structure, lengths, path bytes: '..', '/', NUL, broken UTF-8) and raw bytes. Proves: decoding never
/// throws (it answers false with a problem); valid collections decode to themselves; every accepted
/// entry has a safe path that resolves inside the target directory or is refused with
/// <see cref="FormatException"/>; accepted collections survive a round trip; within the time and
/// allocation bounds.
/// </summary>
public sealed class CollectionFuzzTests(ITestOutputHelper output)
{
    private const string Root = "/tmp/granary-fuzz-target";

    /// <summary>Valid collections: distinct safe paths, some empty directories; sets where a file would hold another entry are dropped.</summary>
    private static readonly Gen<byte[]> Valid = Gen.Select(
        Gen.Select(Values.Path, Values.Hash, Values.Size).Array[0, 8],
        Values.Path.Array[0, 3],
        (files, directories) => Collection(
            [.. files.DistinctBy(f => f.Item1, StringComparer.Ordinal).Select(f => new CollectionEntry(f.Item1, f.Item2, f.Item3))],
            [.. directories.Distinct(StringComparer.Ordinal).Where(d => !files.Any(f => f.Item1 == d))]))
        .Where(collection => collection is not null)
        .Select(collection => collection!.Encode());

    [Fact]
    public void Collections_decode_or_are_refused_and_every_entry_lands_inside_the_target() =>
        FuzzRunner.Run(output, "BlobCollection.TryDecode", Inputs.Bytes(Valid), input => input.Bytes.Length, input =>
        {
            (bool decoded, BlobCollection? collection, string? problem) = Documented.Total("BlobCollection.TryDecode", () =>
                (BlobCollection.TryDecode(input.Bytes, out BlobCollection? c, out string? p), c, p));
            if (!decoded)
            {
                Documented.Require(!input.Valid, $"a valid collection was refused: {problem}");
                Documented.Require(!string.IsNullOrEmpty(problem), "a refusal without a problem");
                return false;
            }

            byte[] encoded = collection!.Encode();
            if (input.Valid)
            {
                Frames.RequireSame(input.Bytes, encoded, "a valid collection did not decode to itself");
            }

            foreach (string path in collection.Entries.Select(e => e.Path).Concat(collection.Directories))
            {
                Documented.Require(BlobCollection.IsSafePath(path, out _), $"an accepted collection lists the unsafe path {Printer.Text(path)}");
                if (Documented.TryParse("BlobCollection.Resolve", () => BlobCollection.Resolve(Root, path), out string target, Rejection.Of<FormatException>()))
                {
                    Documented.Require(target.StartsWith(Root + "/", StringComparison.Ordinal), $"{Printer.Text(path)} resolves to {target}, outside {Root}");
                }
            }

            Documented.Require(BlobCollection.TryDecode(encoded, out BlobCollection? again, out string? reason), $"an accepted collection re-encodes to bytes that do not decode: {reason}");
            Frames.RequireSame(encoded, again!.Encode(), "an accepted collection does not survive a round trip");
            return true;
        });

    private static BlobCollection? Collection(List<CollectionEntry> entries, List<string> directories)
    {
        try
        {
            return new BlobCollection(entries, directories);
        }
        catch (FormatException)
        {
            // A file that would have to hold another entry: not a valid collection to start from.
            return null;
        }
    }
}
