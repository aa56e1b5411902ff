using Granary.Hashing.Verified;
using Granary.Testing;

namespace Granary.Hashing.Tests;

/// <summary>Outboard creation, encoding and decoding, on valid and on damaged streams.</summary>
public sealed class VerifiedStreamingTests
{
    private const int K = 1024;
    private const int Block = BaoTree.BlockSize;

    public static TheoryData<long> BoundarySizes() =>
    [
        0, 1, 1023, 1024, 1025, Block - 1, Block, Block + 1, (2 * Block) - 1, 2 * Block, (2 * Block) + 1,
        (3 * Block) + 7, (8 * Block) - 1, (8 * Block) + 1, (33 * Block) + 100, (1 * K * K) + 7,
    ];

    private sealed record Blob(byte[] Data, byte[] Outboard, Blake3Hash Root)
    {
        public long Size => Data.Length;
    }

    private static async Task<Blob> MakeBlobAsync(byte[] data, int pieceSize = 100_000)
    {
        using var outboard = new MemoryStream();
        using var builder = new BaoOutboardBuilder(outboard);
        for (int offset = 0; offset < data.Length; offset += pieceSize)
        {
            await builder.AppendAsync(data.AsMemory(offset, Math.Min(pieceSize, data.Length - offset)));
        }

        Blake3Hash root = await builder.FinishAsync();
        return new Blob(data, outboard.ToArray(), root);
    }

    private static async Task<byte[]> EncodeAsync(Blob blob, ChunkRanges ranges)
    {
        using var output = new MemoryStream();
        await BaoEncoder.EncodeAsync(
            new MemoryRandomAccessStorage(blob.Data), new MemoryRandomAccessStorage(blob.Outboard), blob.Size, ranges, output);
        return output.ToArray();
    }

    /// <summary>Records what the decoder hands out, so tests can check it was all genuine.</summary>
    private sealed class RecordingSink : IBaoSink
    {
        public Dictionary<long, byte[]> Blocks { get; } = [];

        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Blocks.Add(block, data.ToArray());
            return ValueTask.CompletedTask;
        }
    }

    private static IEnumerable<long> BlocksTouched(long size, ChunkRanges ranges)
    {
        ChunkRanges normalized = BaoTree.Normalize(ranges, size);
        for (long block = 0; block < BaoTree.BlockCount(size); block++)
        {
            if (normalized.Intersects((ulong)block * 16, (ulong)(block + 1) * 16))
            {
                yield return block;
            }
        }
    }

    private static void AssertGenuine(Blob blob, RecordingSink sink)
    {
        foreach (var (block, data) in sink.Blocks)
        {
            Assert.True(blob.Data.AsSpan((int)(block * Block), data.Length).SequenceEqual(data), $"block {block} handed out with wrong data");
        }
    }

    private static ChunkRanges RandomRanges(Random random, long size)
    {
        ulong chunks = BaoTree.ChunkCount(size);
        var ranges = ChunkRanges.Empty;
        for (int i = random.Next(1, 4); i > 0; i--)
        {
            ulong start = (ulong)random.NextInt64(0, (long)chunks + 2);
            ranges |= random.Next(4) == 0 ? ChunkRanges.From(start) : ChunkRanges.Range(start, start + (ulong)random.Next(1, 40));
        }

        return ranges;
    }

    [Theory]
    [MemberData(nameof(BoundarySizes))]
    public async Task Outboard_root_is_the_BLAKE3_hash_and_outboard_has_one_parent_per_block_but_one(long size)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For($"outboard {size}"), size);
        Blob blob = await MakeBlobAsync(data);
        Assert.Equal(Blake3.Hash(data), blob.Root);
        Assert.Equal(BaoTree.OutboardSize(size), blob.Outboard.Length);

        // The outboard must not depend on how the data was cut into appends.
        foreach (int piece in new[] { 1000, Block, Block + 1, 1 << 20 })
        {
            Blob again = await MakeBlobAsync(data, piece);
            Assert.Equal(blob.Outboard, again.Outboard);
        }
    }

    [Theory]
    [MemberData(nameof(BoundarySizes))]
    public async Task Whole_blob_round_trips_through_encoding_and_verified_decoding(long size)
    {
        byte[] data = TestRandom.Bytes(TestRandom.For($"roundtrip {size}"), size);
        Blob blob = await MakeBlobAsync(data);
        byte[] encoding = await EncodeAsync(blob, ChunkRanges.All);
        Assert.Equal(BaoEncoder.EncodedLength(size, ChunkRanges.All), encoding.Length);
        Assert.Equal(size + BaoTree.OutboardSize(size), encoding.Length);

        using var decoded = new MemoryStream();
        await BaoDecoder.DecodeToStreamAsync(new MemoryStream(encoding), blob.Root, size, ChunkRanges.All, decoded);
        Assert.Equal(data, decoded.ToArray());
    }

    [Fact]
    public async Task Random_ranges_decode_to_exactly_the_blocks_they_touch()
    {
        var random = TestRandom.For(nameof(Random_ranges_decode_to_exactly_the_blocks_they_touch));
        for (int round = 0; round < 150; round++)
        {
            long size = random.Next(4) == 0 ? random.Next(0, 3 * Block) : random.Next(0, 70 * Block);
            Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, size));
            ChunkRanges ranges = RandomRanges(random, size);
            byte[] encoding = await EncodeAsync(blob, ranges);
            Assert.Equal(BaoEncoder.EncodedLength(size, ranges), encoding.Length);

            var sink = new RecordingSink();
            await BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, size, ranges, sink);
            Assert.True(BlocksTouched(size, ranges).SequenceEqual(sink.Blocks.Keys.Order()), $"size {size}, ranges {ranges} {TestRandom.Replay}");
            AssertGenuine(blob, sink);
        }
    }

    /// <summary>Which node's bytes sit at each offset of an encoding: the decoder must blame exactly that node.</summary>
    private static List<(long Start, long End, long First, long Count)> EncodingLayout(long size, ChunkRanges ranges)
    {
        var layout = new List<(long, long, long, long)>();
        ChunkRanges normalized = BaoTree.Normalize(ranges, size);
        long offset = 0;
        void Walk(long first, long count)
        {
            long length = count == 1 ? BaoTree.BlockLength(size, first) : BaoTree.ParentSize;
            layout.Add((offset, offset + length, first, count));
            offset += length;
            if (count == 1)
            {
                return;
            }

            long left = BaoTree.LeftBlocks(count);
            if (normalized.Intersects((ulong)first * 16, (ulong)(first + left) * 16))
            {
                Walk(first, left);
            }

            if (normalized.Intersects((ulong)(first + left) * 16, (ulong)(first + count) * 16))
            {
                Walk(first + left, count - left);
            }
        }

        if (!normalized.IsEmpty)
        {
            Walk(0, BaoTree.BlockCount(size));
        }

        return layout;
    }

    [Fact]
    public async Task Any_flipped_bit_is_detected_at_the_node_that_holds_it_and_nothing_false_is_handed_out()
    {
        var random = TestRandom.For(nameof(Any_flipped_bit_is_detected_at_the_node_that_holds_it_and_nothing_false_is_handed_out));
        for (int round = 0; round < 300; round++)
        {
            long size = random.Next(1, 40 * Block);
            Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, size));
            ChunkRanges ranges = random.Next(2) == 0 ? ChunkRanges.All : RandomRanges(random, size);
            byte[] encoding = await EncodeAsync(blob, ranges);
            int position = random.Next(encoding.Length);
            encoding[position] ^= (byte)(1 << random.Next(8));

            var sink = new RecordingSink();
            var error = await Assert.ThrowsAsync<BaoVerificationException>(
                () => BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, size, ranges, sink));
            var node = EncodingLayout(size, ranges).Single(n => position >= n.Start && position < n.End);
            string context = $"size {size}, ranges {ranges}, byte {position}: {error.Message} {TestRandom.Replay}";
            Assert.True(node.First == error.FirstBlock && node.Count == error.BlockCount, context);
            Assert.True((node.Count == 1 ? BaoFailure.BlockMismatch : BaoFailure.ParentMismatch) == error.Failure, context);
            AssertGenuine(blob, sink);
        }
    }

    [Fact]
    public async Task A_stream_cut_anywhere_is_reported_as_truncated()
    {
        var random = TestRandom.For(nameof(A_stream_cut_anywhere_is_reported_as_truncated));
        for (int round = 0; round < 200; round++)
        {
            long size = random.Next(0, 30 * Block);
            Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, size));
            byte[] encoding = await EncodeAsync(blob, ChunkRanges.All);
            if (encoding.Length == 0)
            {
                continue;
            }

            int cut = random.Next(encoding.Length);
            var sink = new RecordingSink();
            var error = await Assert.ThrowsAsync<BaoVerificationException>(
                () => BaoDecoder.DecodeAsync(new MemoryStream(encoding[..cut]), blob.Root, size, ChunkRanges.All, sink));
            Assert.True(BaoFailure.Truncated == error.Failure, $"size {size}, cut at {cut}: {error.Message}");
            AssertGenuine(blob, sink);
        }
    }

    [Fact]
    public async Task Bytes_after_the_end_are_rejected()
    {
        var random = TestRandom.For(nameof(Bytes_after_the_end_are_rejected));
        Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, (5 * Block) + 3));
        byte[] encoding = [.. await EncodeAsync(blob, ChunkRanges.All), 0x42];
        var error = await Assert.ThrowsAsync<BaoVerificationException>(
            () => BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, blob.Size, ChunkRanges.All, new RecordingSink()));
        Assert.Equal(BaoFailure.TrailingData, error.Failure);
    }

    [Fact]
    public async Task Swapped_blocks_are_rejected_at_the_first_one()
    {
        var random = TestRandom.For(nameof(Swapped_blocks_are_rejected_at_the_first_one));
        Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, 4 * Block));
        byte[] encoding = await EncodeAsync(blob, ChunkRanges.All);
        var layout = EncodingLayout(blob.Size, ChunkRanges.All).Where(n => n.Count == 1).ToList();
        byte[] first = encoding[(int)layout[1].Start..(int)layout[1].End];
        encoding.AsSpan((int)layout[2].Start, Block).CopyTo(encoding.AsSpan((int)layout[1].Start));
        first.CopyTo(encoding.AsSpan((int)layout[2].Start));

        var error = await Assert.ThrowsAsync<BaoVerificationException>(
            () => BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, blob.Size, ChunkRanges.All, new RecordingSink()));
        Assert.Equal((BaoFailure.BlockMismatch, 1L), (error.Failure, error.FirstBlock));
    }

    [Fact]
    public async Task A_wrong_root_hash_or_a_wrong_size_is_rejected_at_the_root()
    {
        var random = TestRandom.For(nameof(A_wrong_root_hash_or_a_wrong_size_is_rejected_at_the_root));
        foreach (long size in new long[] { 10, (3 * Block) + 5 })
        {
            Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, size));
            byte[] encoding = await EncodeAsync(blob, ChunkRanges.All);
            Blake3Hash other = Blake3.Hash([1, 2, 3]);
            var wrongRoot = await Assert.ThrowsAsync<BaoVerificationException>(
                () => BaoDecoder.DecodeAsync(new MemoryStream(encoding), other, size, ChunkRanges.All, new RecordingSink()));
            Assert.Equal((0L, BaoTree.BlockCount(size)), (wrongRoot.FirstBlock, wrongRoot.BlockCount));

            await Assert.ThrowsAsync<BaoVerificationException>(
                () => BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, size - 1, ChunkRanges.All, new RecordingSink()));
        }
    }

    [Fact]
    public async Task Decoded_parts_stored_in_a_sink_reassemble_the_blob_and_its_outboard()
    {
        // A resumed download: two disjoint range requests, stored as they verify, give back the
        // very data and outboard the provider had.
        var random = TestRandom.For(nameof(Decoded_parts_stored_in_a_sink_reassemble_the_blob_and_its_outboard));
        Blob blob = await MakeBlobAsync(TestRandom.Bytes(random, (21 * Block) + 999));
        var data = new MemoryRandomAccessStorage();
        var outboard = new MemoryRandomAccessStorage();
        var sink = new StorageBaoSink(data, outboard);
        ChunkRanges firstHalf = ChunkRanges.Range(0, 11 * 16);
        foreach (ChunkRanges part in new[] { firstHalf, firstHalf.Complement() })
        {
            byte[] encoding = await EncodeAsync(blob, part);
            await BaoDecoder.DecodeAsync(new MemoryStream(encoding), blob.Root, blob.Size, part, sink);
        }

        Assert.Equal(blob.Data, data.ToArray());
        Assert.Equal(blob.Outboard, outboard.ToArray());
    }

    [Fact]
    public async Task Encoding_reports_storage_shorter_than_the_blob()
    {
        Blob blob = await MakeBlobAsync(new byte[3 * Block]);
        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => BaoEncoder.EncodeAsync(
            new MemoryRandomAccessStorage(blob.Data[..(2 * Block)]), new MemoryRandomAccessStorage(blob.Outboard),
            blob.Size, ChunkRanges.All, Stream.Null));
        Assert.Contains("blob data", error.Message, StringComparison.Ordinal);
    }
}
