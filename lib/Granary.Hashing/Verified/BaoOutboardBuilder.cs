using System.Buffers;
using static Granary.Hashing.Verified.BaoTree;

namespace Granary.Hashing.Verified;

/// <summary>
/// Hashes a blob and writes its outboard in the same single pass, as the data streams through:
/// feed it with <see cref="AppendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> (the size need not be known), then
/// <see cref="FinishAsync"/> returns the root hash. Parents are appended to the outboard stream
/// in post-order, so the outboard is written sequentially and memory stays constant
/// (one block, one stack of at most 64 chaining values, one write buffer).
/// </summary>
/// <remarks>
/// A block is hashed only once data after it has arrived: until then it might be the whole
/// blob, whose hash is the root hash rather than a chaining value. For the same reason a
/// complete subtree is merged eagerly only while more data follows; the right edge of the tree
/// is merged in <see cref="FinishAsync"/>, ending with the root.
/// </remarks>
public sealed class BaoOutboardBuilder : IDisposable
{
    private const int MaxStackDepth = 64;
    private const int OutboardBufferSize = 64 * 1024;

    private readonly Stream _outboard;
    private readonly byte[] _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    private readonly byte[] _outboardBuffer = ArrayPool<byte>.Shared.Rent(OutboardBufferSize);
    private readonly byte[] _stackCvs = new byte[MaxStackDepth * 32];
    private readonly long[] _stackBlocks = new long[MaxStackDepth];
    private int _stackDepth;
    private int _blockFill;
    private int _outboardFill;
    private long _blocksHashed;
    private bool _finished;
    private bool _disposed;

    /// <summary>Starts a blob whose parents are appended to <paramref name="outboard"/>.</summary>
    public BaoOutboardBuilder(Stream outboard)
    {
        ArgumentNullException.ThrowIfNull(outboard);
        _outboard = outboard;
    }

    /// <summary>Bytes appended so far.</summary>
    public long Length => (_blocksHashed * BlockSize) + _blockFill;

    /// <summary>Absorbs the next bytes of the blob.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!data.IsEmpty)
        {
            if (_blockFill == 0 && data.Length > BlockSize)
            {
                // Whole blocks straight from the caller's buffer, many at a time; at least one
                // byte stays behind, so none of them can be the last block.
                int blocks = Math.Min(MaxBatchBlocks, (data.Length - 1) / BlockSize);
                HashWholeBlocks(data.Span[..(blocks * BlockSize)]);
                data = data[(blocks * BlockSize)..];
                await FlushOutboardIfFullAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_blockFill == BlockSize)
            {
                // More data follows, so the buffered block is not the last one.
                HashBufferedBlock();
                await FlushOutboardIfFullAsync(cancellationToken).ConfigureAwait(false);
            }

            int take = Math.Min(BlockSize - _blockFill, data.Length);
            data.Span[..take].CopyTo(_block.AsSpan(_blockFill));
            _blockFill += take;
            data = data[take..];
        }
    }

    /// <summary>Absorbs a whole stream, from its position to its end.</summary>
    public async Task AppendAsync(Stream data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int read;
            while ((read = await data.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await AppendAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes the last block, merges the tree's right edge, flushes the outboard, and returns the root hash.</summary>
    public async ValueTask<Blake3Hash> FinishAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        Blake3Hash root = FinishTree();
        await FlushOutboardAsync(cancellationToken).ConfigureAwait(false);
        await _outboard.FlushAsync(cancellationToken).ConfigureAwait(false);
        return root;
    }

    /// <summary>Creates the outboard of a whole stream; returns its root hash and size.</summary>
    public static async Task<(Blake3Hash Root, long Size)> CreateAsync(Stream data, Stream outboard, CancellationToken cancellationToken = default)
    {
        using var builder = new BaoOutboardBuilder(outboard);
        await builder.AppendAsync(data, cancellationToken).ConfigureAwait(false);
        long size = builder.Length;
        return (await builder.FinishAsync(cancellationToken).ConfigureAwait(false), size);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _finished = true;
        ArrayPool<byte>.Shared.Return(_block);
        ArrayPool<byte>.Shared.Return(_outboardBuffer);
    }

    private void HashBufferedBlock()
    {
        BlockChainingValue(_block.AsSpan(0, _blockFill), _blocksHashed, isRoot: false, _stackCvs.AsSpan(_stackDepth * 32, 32));
        _blockFill = 0;
        PushBlock();
    }

    private void HashWholeBlocks(ReadOnlySpan<byte> blocks)
    {
        Span<byte> cvs = stackalloc byte[MaxBatchBlocks * 32];
        int count = blocks.Length / BlockSize;
        FullBlockChainingValues(blocks, _blocksHashed, cvs);
        for (int i = 0; i < count; i++)
        {
            cvs.Slice(i * 32, 32).CopyTo(_stackCvs.AsSpan(_stackDepth * 32, 32));
            PushBlock();
        }
    }

    /// <summary>Pushes the block whose chaining value was just written above the stack's top, merging siblings.</summary>
    private void PushBlock()
    {
        _stackBlocks[_stackDepth++] = 1;
        _blocksHashed++;

        // Two complete subtrees of equal size are siblings: merge them while more data follows.
        while (_stackDepth >= 2 && _stackBlocks[_stackDepth - 1] == _stackBlocks[_stackDepth - 2])
        {
            MergeTop(isRoot: false, default);
        }
    }

    /// <summary>
    /// Flushes when the next batch might not fit: k pushed blocks cause at most k merges plus
    /// one per stack level, each appending one parent.
    /// </summary>
    private ValueTask FlushOutboardIfFullAsync(CancellationToken cancellationToken) =>
        _outboardFill > OutboardBufferSize - ((MaxBatchBlocks + MaxStackDepth) * ParentSize)
            ? FlushOutboardAsync(cancellationToken)
            : ValueTask.CompletedTask;

    private Blake3Hash FinishTree()
    {
        Span<byte> root = stackalloc byte[32];
        if (_stackDepth == 0)
        {
            // One block is the whole blob: its hash is the root, and there is no outboard.
            BlockChainingValue(_block.AsSpan(0, _blockFill), 0, isRoot: true, root);
            return new Blake3Hash(root);
        }

        BlockChainingValue(_block.AsSpan(0, _blockFill), _blocksHashed, isRoot: false, _stackCvs.AsSpan(_stackDepth * 32, 32));
        _stackBlocks[_stackDepth++] = 1;
        _blocksHashed++;
        _blockFill = 0;
        while (_stackDepth > 2)
        {
            MergeTop(isRoot: false, default);
        }

        MergeTop(isRoot: true, root);
        return new Blake3Hash(root);
    }

    /// <summary>Replaces the top two stack entries by their parent and appends the parent's children to the outboard.</summary>
    private void MergeTop(bool isRoot, Span<byte> rootHash)
    {
        int left = _stackDepth - 2;
        ReadOnlySpan<byte> children = _stackCvs.AsSpan(left * 32, ParentSize);
        children.CopyTo(_outboardBuffer.AsSpan(_outboardFill));
        _outboardFill += ParentSize;
        if (isRoot)
        {
            ParentChainingValue(children, isRoot: true, rootHash);
        }
        else
        {
            Span<byte> parent = stackalloc byte[32];
            ParentChainingValue(children, isRoot: false, parent);
            parent.CopyTo(_stackCvs.AsSpan(left * 32, 32));
        }

        _stackBlocks[left] += _stackBlocks[left + 1];
        _stackDepth--;
    }

    private async ValueTask FlushOutboardAsync(CancellationToken cancellationToken)
    {
        if (_outboardFill > 0)
        {
            await _outboard.WriteAsync(_outboardBuffer.AsMemory(0, _outboardFill), cancellationToken).ConfigureAwait(false);
            _outboardFill = 0;
        }
    }
}
