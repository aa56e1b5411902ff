using System.Buffers;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// Reads a verified encoding (<see cref="BaoEncoder"/>) incrementally and checks every parent
/// and every block against the root hash before handing it on. Any corrupted, truncated,
/// reordered or extended input is rejected with a <see cref="BaoVerificationException"/> that
/// names the block or node at fault; everything the sink received before that is genuine.
/// </summary>
/// <remarks>
/// The size is verified only when the ranges include the last chunk (<see cref="BaoTree.Normalize"/>
/// adds it for any range that reaches past the end): only the true last block hashes correctly
/// at its length. Memory is one block and one parent per tree level, whatever the blob's size.
/// </remarks>
public static class BaoDecoder
{
    private const int MaxDepth = 64;
    private const int ReadBufferSize = 256 * 1024;

    /// <summary>
    /// Decodes and verifies the encoding of <paramref name="ranges"/> of the blob with
    /// <paramref name="root"/> hash and <paramref name="size"/> bytes, passing verified parts to
    /// <paramref name="sink"/>. With <paramref name="requireEnd"/>, the stream must end right after the encoding.
    /// </summary>
    /// <exception cref="BaoVerificationException">The encoding does not verify; the message says where.</exception>
    public static async Task DecodeAsync(
        Stream encoding, Blake3Hash root, long size, ChunkRanges ranges, IBaoSink sink,
        bool requireEnd = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ChunkRanges normalized = Normalize(ranges, size);
        Stream input = encoding is MemoryStream or BufferedStream ? encoding : new BufferedStream(encoding, ReadBufferSize);
        var walk = new Walk(input, size, normalized, sink);
        try
        {
            if (!normalized.IsEmpty)
            {
                root.CopyTo(walk.ExpectedAt(0));
                await walk.NodeAsync(0, BlockCount(size), 0, cancellationToken).ConfigureAwait(false);
            }

            if (requireEnd && await input.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0)
            {
                throw new BaoVerificationException(BaoFailure.TrailingData, BlockCount(size), 0, size,
                    $"the encoding of {normalized} of a {size}-byte blob ends at byte {BaoEncoder.EncodedLength(size, normalized)}.");
            }
        }
        finally
        {
            walk.Dispose();
        }
    }

    /// <summary>Decodes and verifies, writing the verified data of the requested blocks to <paramref name="output"/> in order.</summary>
    public static Task DecodeToStreamAsync(
        Stream encoding, Blake3Hash root, long size, ChunkRanges ranges, Stream output, CancellationToken cancellationToken = default) =>
        DecodeAsync(encoding, root, size, ranges, new StreamSink(output), requireEnd: true, cancellationToken);

    private sealed class Walk(Stream input, long size, ChunkRanges ranges, IBaoSink sink) : IDisposable
    {
        // Per tree level: the 32-byte value this node must hash to, then room for the node's 64 bytes.
        private readonly byte[] _levels = new byte[MaxDepth * (32 + ParentSize)];
        private readonly byte[] _block = ArrayPool<byte>.Shared.Rent(BlockSize);
        private readonly byte[] _actual = new byte[32];

        public Span<byte> ExpectedAt(int depth) => _levels.AsSpan(depth * (32 + ParentSize), 32);

        public async ValueTask NodeAsync(long first, long count, int depth, CancellationToken cancellationToken)
        {
            bool isRoot = depth == 0;
            if (count == 1)
            {
                int length = BlockLength(size, first);
                await ReadAsync(_block.AsMemory(0, length), first, 1, cancellationToken).ConfigureAwait(false);
                BlockChainingValue(_block.AsSpan(0, length), first, isRoot, _actual);
                if (!_actual.AsSpan().SequenceEqual(ExpectedAt(depth)))
                {
                    throw new BaoVerificationException(BaoFailure.BlockMismatch, first, 1, size,
                        isRoot ? "the blob's data does not have this hash." : "nothing from this block on was accepted.");
                }

                await sink.OnBlockAsync(first, _block.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                return;
            }

            Memory<byte> children = _levels.AsMemory((depth * (32 + ParentSize)) + 32, ParentSize);
            await ReadAsync(children, first, count, cancellationToken).ConfigureAwait(false);
            ParentChainingValue(children.Span, isRoot, _actual);
            if (!_actual.AsSpan().SequenceEqual(ExpectedAt(depth)))
            {
                throw new BaoVerificationException(BaoFailure.ParentMismatch, first, count, size,
                    isRoot ? "the root does not have the blob's hash (wrong hash or wrong size?)." : "nothing under this node was accepted.");
            }

            await sink.OnParentAsync(first, count, children, cancellationToken).ConfigureAwait(false);
            long left = LeftBlocks(count);
            if (depth + 1 >= MaxDepth)
            {
                throw new InvalidOperationException("The tree is deeper than any blob of at most 2^63 bytes can be.");
            }

            if (Touches(ranges, first, left))
            {
                children.Span[..32].CopyTo(ExpectedAt(depth + 1));
                await NodeAsync(first, left, depth + 1, cancellationToken).ConfigureAwait(false);
            }

            if (Touches(ranges, first + left, count - left))
            {
                children.Span[32..].CopyTo(ExpectedAt(depth + 1));
                await NodeAsync(first + left, count - left, depth + 1, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_block);

        private async ValueTask ReadAsync(Memory<byte> buffer, long first, long count, CancellationToken cancellationToken)
        {
            int read = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < buffer.Length)
            {
                throw new BaoVerificationException(BaoFailure.Truncated, first, count, size,
                    $"got {read} of its {buffer.Length} bytes.");
            }
        }
    }

    private sealed class StreamSink(Stream output) : IBaoSink
    {
        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            output.WriteAsync(data, cancellationToken);
    }
}
