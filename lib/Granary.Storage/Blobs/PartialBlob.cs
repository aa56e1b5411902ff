using System.Collections;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.IO;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Blobs;

/// <summary>
/// A blob being received in pieces (PUSH): verified blocks and parents are written in place into
/// <c>partial/&lt;hash&gt;.data|.obao</c>; <see cref="CommitAsync"/> fsyncs them and only then
/// records the blocks as present (<c>.present</c>, replaced atomically), so the record never
/// claims bytes a crash could lose. Feed it from <see cref="BaoDecoder"/>: it is an
/// <see cref="IBaoSink"/>, so nothing unverified reaches it.
/// </summary>
public sealed class PartialBlob : IBaoSink, IDisposable
{
    private readonly Lock _gate = new();
    private readonly BitArray _present;
    private readonly BitArray _pending;
    private readonly FileStorage _data;
    private readonly FileStorage _outboard;
    private readonly IFileIo _io;
    private readonly string _presentPath;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PartialBlob(Blake3Hash hash, long size, IFileIo io, string directory)
    {
        Hash = hash;
        Size = size;
        _io = io;
        string stem = Path.Combine(directory, hash.ToString());
        DataPath = stem + ".data";
        OutboardPath = stem + ".obao";
        _presentPath = stem + ".present";
        long blocks = BaoTree.BlockCount(size);
        _present = new BitArray(checked((int)blocks));
        _pending = new BitArray(checked((int)blocks));
        if (File.Exists(_presentPath))
        {
            byte[] recorded = File.ReadAllBytes(_presentPath);
            for (int block = 0; block < blocks && block / 8 < recorded.Length; block++)
            {
                _present[block] = (recorded[block / 8] & (1 << (block % 8))) != 0;
            }
        }

        _data = new FileStorage(io, File.OpenHandle(DataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite));
        _outboard = new FileStorage(io, File.OpenHandle(OutboardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite));
    }

    /// <summary>The blob's hash.</summary>
    public Blake3Hash Hash { get; }

    /// <summary>The blob's size.</summary>
    public long Size { get; }

    internal string DataPath { get; }

    internal string OutboardPath { get; }

    /// <summary>Completes when more blocks are committed (then call again for the next change).</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>True once the blob has been moved into the store: observers should look there.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>True when every block is committed.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_gate)
            {
                return _present.Cast<bool>().All(b => b);
            }
        }
    }

    /// <summary>The committed blocks as chunk ranges (what a GET or an observer may rely on).</summary>
    public ChunkRanges Present()
    {
        lock (_gate)
        {
            var ranges = ChunkRanges.Empty;
            ulong chunks = BaoTree.ChunkCount(Size);
            for (int block = 0; block < _present.Length; block++)
            {
                if (_present[block])
                {
                    ulong first = (ulong)block * BaoTree.ChunksPerBlock;
                    ranges |= ChunkRanges.Range(first, Math.Min(first + BaoTree.ChunksPerBlock, chunks));
                }
            }

            return ranges;
        }
    }

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
        _outboard.WriteAtAsync(BaoTree.PostOrderIndex(firstBlock, blocks) * BaoTree.ParentSize, children, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _data.WriteAtAsync(block * BaoTree.BlockSize, data, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _pending[(int)block] = true;
        }
    }

    /// <summary>Makes the blocks received so far durable, then records them as present.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await _io.FlushToDiskAsync(_data.Handle, cancellationToken).ConfigureAwait(false);
        await _io.FlushToDiskAsync(_outboard.Handle, cancellationToken).ConfigureAwait(false);
        byte[] bits;
        TaskCompletionSource changed;
        lock (_gate)
        {
            _present.Or(_pending);
            _pending.SetAll(false);
            bits = new byte[(_present.Length + 7) / 8];
            _present.CopyTo(bits, 0);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        string temporary = _presentPath + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            await file.WriteAsync(bits, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, _presentPath, overwrite: true);
        changed.TrySetResult();
    }

    internal void DeleteRecord() => File.Delete(_presentPath);

    /// <summary>Marks the blob as stored and wakes observers (after the metadata row exists).</summary>
    internal void MarkFinished()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            IsFinished = true;
            changed = _changed;
        }

        changed.TrySetResult();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _data.Dispose();
        _outboard.Dispose();
    }
}
