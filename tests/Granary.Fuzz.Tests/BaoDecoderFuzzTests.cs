using CsCheck;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Xunit.Abstractions;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Fuzzes the body of a <c>get</c> reply as a client reads it: <see cref="BaoDecoder.DecodeAsync"/>
/// over the verified encoding of some ranges of a blob, with the encoding as
/// <see cref="BaoEncoder"/> writes it, edited (bit flips, inserted and deleted bytes, truncation,
/// repeated runs, splices), and with the size the silo claims sometimes a lie. Proves: it refuses only
/// with <see cref="BaoVerificationException"/>; every byte it hands the sink, before a refusal too, is
/// the blob's own at that offset (a hostile silo can waste time, never plant data); a genuine encoding
/// delivers exactly the requested blocks; within the time and allocation bounds.
/// </summary>
public sealed class BaoDecoderFuzzTests(ITestOutputHelper output)
{
    private static readonly Gen<int> BlobSize = Gen.Frequency(
        (3, Gen.Int[0, (3 * BaoTree.BlockSize) + 100]),
        (1, Gen.OneOf(0, 1, 1023, 1024, 1025, BaoTree.BlockSize - 1, BaoTree.BlockSize, BaoTree.BlockSize + 1, 2 * BaoTree.BlockSize, (4 * BaoTree.BlockSize) + 1)));

    private static readonly Gen<ChunkRanges> Ranges = Gen.Frequency(
        (2, Gen.Const(ChunkRanges.All)),
        (3, Gen.ULong[0, 80].Array[0, 4].Select(bounds => ChunkRanges.FromBoundaries([.. bounds.Distinct().Order()]))));

    private static readonly Gen<BaoInput> Encodings = Gen.Select(
        BlobSize,
        Gen.Int,
        Ranges,
        Gen.Frequency((6, Gen.Const(0L)), (2, Gen.Long[-2000, 2000]), (1, Gen.OneOf(long.MaxValue / 2, 1L << 40, (long)BaoTree.BlockSize))),
        Gen.Frequency((1, Gen.Const(Array.Empty<ByteMutation>())), (3, Inputs.ByteEdit.Array[1, 3])),
        (size, seed, ranges, lie, edits) =>
        {
            byte[] data = new byte[size];
            new Random(seed).NextBytes(data);
            (Blake3Hash root, byte[] encoding) = Encode(data, ranges);
            long claimed = lie switch
            {
                0 => size,
                > -2001 and < 2001 => Math.Max(0, size + lie),
                _ => lie,
            };
            byte[] arriving = edits.Aggregate(encoding, (bytes, edit) => edit.Apply(bytes, encoding));
            return new BaoInput(data, root, ranges, claimed, arriving, claimed == size && arriving.AsSpan().SequenceEqual(encoding));
        });

    [Fact]
    public void A_get_body_is_verified_or_refused_with_BaoVerificationException_and_never_plants_data() =>
        FuzzRunner.Run(output, "BaoDecoder.DecodeAsync", Encodings, input => input.Arriving.Length + 64L, input =>
        {
            var sink = new CheckingSink(input.Data);
            using var stream = new MemoryStream(input.Arriving, writable: false);
            bool verified = Documented.TryParse(
                "BaoDecoder.DecodeAsync",
                () =>
                {
                    BaoDecoder.DecodeAsync(stream, input.Root, input.ClaimedSize, input.Ranges, sink, requireEnd: true).GetAwaiter().GetResult();
                    return true;
                },
                out bool _,
                Rejection.Of<BaoVerificationException>());
            Documented.Require(verified || !input.Genuine, "a genuine encoding was refused");
            if (input.Genuine)
            {
                long expected = BaoTree.Normalize(input.Ranges, input.Data.Length).RoundOut(BaoTree.ChunksPerBlock).ByteCount(input.Data.Length);
                Documented.Require(sink.Delivered == expected, $"a genuine encoding delivered {sink.Delivered} bytes of the {expected} asked for");
            }

            return verified;
        });

    private static (Blake3Hash Root, byte[] Encoding) Encode(byte[] data, ChunkRanges ranges)
    {
        using var outboard = new MemoryStream();
        (Blake3Hash root, long size) = BaoOutboardBuilder.CreateAsync(new MemoryStream(data), outboard).GetAwaiter().GetResult();
        using var encoding = new MemoryStream();
        BaoEncoder.EncodeAsync(new MemoryRandomAccessStorage(data), new MemoryRandomAccessStorage(outboard.ToArray()), size, ranges, encoding).GetAwaiter().GetResult();
        return (root, encoding.ToArray());
    }
}
