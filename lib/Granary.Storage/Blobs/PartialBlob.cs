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
public sealed class PartialBlob : IResumableBaoSink, IDisposable
{
    private readonly Lock _gate = new();
    private readonly BitArray _present;
    private readonly BitArray _pending;
    private readonly FileStorage _data;
    private readonly FileStorage _outboard;
    private readonly IFileIo _io;
    private readonly string _presentPath;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completionClaimed;

    // Consecutive verified blocks are gathered into one write: a write per 16 KiB block, each
    // awaited by the decoder, held silo-to-silo copies to ~110 MB/s. Writers may be concurrent
    // (several pushes of one blob), hence the gate.
    private const int CoalesceBytes = 1 << 20;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly byte[] _coalesced;
    private readonly List<long> _coalescedBlocks = [];
    private readonly SortedDictionary<long, byte[]> _parents = [];
    private long _coalescedStart;
    private int _coalescedLength;

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
        // No bigger than the blob, and not zeroed (every byte is written before it is read): a
        // zeroed 1 MiB per partial was 17 % of a cluster's CPU while it replicated 4 KiB blobs
        // (bench/RESULTS.md, issue 17).
        _coalesced = GC.AllocateUninitializedArray<byte>((int)Math.Min(CoalesceBytes, blocks * BaoTree.BlockSize));
        _present = new BitArray(checked((int)blocks));
        _pending = new BitArray(checked((int)blocks));
        if (File.Exists(_presentPath))
        {
            byte[] recorded = File.ReadAllBytes(_presentPath);
            for (int block = 0; block < blocks && block / 8 < recorded.Length; block++)
            {
                _present[block] = (recorded[block / 8] & (1 << (block % 8))) != 0;
                Resumed |= _present[block];
            }
        }

        _data = new FileStorage(io, File.OpenHandle(DataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite));
        _outboard = new FileStorage(io, File.OpenHandle(OutboardPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite));
    }

    /// <summary>The blob's hash.</summary>
    public Blake3Hash Hash { get; }

    /// <summary>The blob's size.</summary>
    public long Size { get; }

    /// <summary>
    /// True when this partial blob took over blocks recorded by an earlier process: they were
    /// verified when written, but the files may have changed since, so completing it re-verifies
    /// the whole blob (<see cref="BlobStore.CompletePartialAsync"/>).
    /// </summary>
    public bool Resumed { get; }

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

    /// <summary>
    /// Completes when this partial blob's life ends: moved into the store, or given up (a resumed
    /// one whose data no longer verified). Look in the store afterwards.
    /// </summary>
    public Task Finished => _finished.Task;

    /// <summary>True once some writer has started moving the blob into the store: others must not write to it or complete it again.</summary>
    public bool IsCompleting => Volatile.Read(ref _completionClaimed) != 0;

    /// <summary>Claims the one completion of this blob; false if another writer has it (concurrent pushes of one blob).</summary>
    internal bool TryClaimCompletion() => Interlocked.Exchange(ref _completionClaimed, 1) == 0;

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
    public async ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken)
    {
        // Parents are 64 bytes each and arrive out of post-order: gather them and write runs.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _parents[BaoTree.PostOrderIndex(firstBlock, blocks) * BaoTree.ParentSize] = children.ToArray();
            if (_parents.Count * BaoTree.ParentSize >= CoalesceBytes)
            {
                await WriteParentsAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long offset = block * BaoTree.BlockSize;
            if (_coalescedBlocks.Count > 0 && (offset != _coalescedStart + _coalescedLength || _coalescedLength + data.Length > _coalesced.Length))
            {
                await WriteCoalescedAsync(cancellationToken).ConfigureAwait(false);
            }

            if (data.Length > _coalesced.Length)
            {
                await _data.WriteAtAsync(offset, data, cancellationToken).ConfigureAwait(false);
                MarkPending([block]);
                return;
            }

            if (_coalescedBlocks.Count == 0)
            {
                _coalescedStart = offset;
            }

            data.Span.CopyTo(_coalesced.AsSpan(_coalescedLength));
            _coalescedLength += data.Length;
            _coalescedBlocks.Add(block);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Makes the blocks received so far durable, then records them as present. Writers may go on
    /// while it syncs (a receiver fetching its next piece): only the blocks written before the
    /// sync started become present; later ones wait for the next commit. Commits run one at a time.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            BitArray written;
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await WriteCoalescedAsync(cancellationToken).ConfigureAwait(false);
                await WriteParentsAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    written = new BitArray(_pending);
                    _pending.SetAll(false);
                }
            }
            finally
            {
                _writeGate.Release();
            }

            try
            {
                await _io.FlushToDiskAsync(_data.Handle, cancellationToken).ConfigureAwait(false);
                await _io.FlushToDiskAsync(_outboard.Handle, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                lock (_gate)
                {
                    _pending.Or(written); // still written, not known durable: the next commit syncs them
                }

                throw;
            }

            byte[] bits;
            TaskCompletionSource changed;
            lock (_gate)
            {
                _present.Or(written);
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
        finally
        {
            _commitGate.Release();
        }
    }

    internal void DeleteRecord() => File.Delete(_presentPath);

    /// <summary>
    /// Records <paramref name="blocks"/> as not present (their bytes were found damaged on disk), so
    /// the next instance of this partial blob, opened from the record, asks for them again.
    /// </summary>
    internal void Forget(IEnumerable<(long FirstBlock, long Blocks)> blocks)
    {
        byte[] bits;
        lock (_gate)
        {
            foreach ((long first, long count) in blocks)
            {
                for (long block = first; block < first + count; block++)
                {
                    _present[(int)block] = false;
                }
            }

            bits = new byte[(_present.Length + 7) / 8];
            _present.CopyTo(bits, 0);
        }

        string temporary = _presentPath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bits);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, _presentPath, overwrite: true);
    }

    /// <summary>Writes the gathered blocks; only then do they count as pending (written, not yet synced).</summary>
    private async Task WriteCoalescedAsync(CancellationToken cancellationToken)
    {
        if (_coalescedBlocks.Count == 0)
        {
            return;
        }

        // The empty blob's one block has no bytes: nothing to write, but it is received all the same.
        if (_coalescedLength > 0)
        {
            await _data.WriteAtAsync(_coalescedStart, _coalesced.AsMemory(0, _coalescedLength), cancellationToken).ConfigureAwait(false);
            if (_coalescedLength >= CoalesceBytes)
            {
                // A large copy's data goes to disk while the rest arrives, not all in the commit's fsync.
                Durability.StartWriteback(_data.Handle, _coalescedStart, _coalescedLength);
            }
        }

        MarkPending(_coalescedBlocks);
        _coalescedBlocks.Clear();
        _coalescedLength = 0;
    }

    /// <summary>Writes the gathered parents, one write per run of adjacent ones.</summary>
    private async Task WriteParentsAsync(CancellationToken cancellationToken)
    {
        var run = new List<byte>();
        long runStart = -1;
        foreach (var (offset, bytes) in _parents)
        {
            if (run.Count > 0 && offset != runStart + run.Count)
            {
                await _outboard.WriteAtAsync(runStart, run.ToArray(), cancellationToken).ConfigureAwait(false);
                run.Clear();
            }

            if (run.Count == 0)
            {
                runStart = offset;
            }

            run.AddRange(bytes);
        }

        if (run.Count > 0)
        {
            await _outboard.WriteAtAsync(runStart, run.ToArray(), cancellationToken).ConfigureAwait(false);
        }

        _parents.Clear();
    }

    private void MarkPending(IEnumerable<long> blocks)
    {
        lock (_gate)
        {
            foreach (long block in blocks)
            {
                _pending[(int)block] = true;
            }
        }
    }

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
        _finished.TrySetResult();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The write gate is not disposed: a concurrent writer of the same blob may still wait on it,
        // and a disposed SemaphoreSlim never releases its waiters (they would hang, not fail).
        _data.Dispose();
        _outboard.Dispose();
    }
}
