using System.Buffers;
using Granary.Hashing.Verified;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// Writes a download's verified blocks into its file in runs of contiguous blocks of up to
/// <see cref="RunBytes"/>, one positional write per run, and reports each run once it is
/// written (<c>written(from, to)</c>, byte offsets, end exclusive).
/// </summary>
/// <remarks>
/// A write per 16 KiB block was 65 536 system calls per GiB and, through
/// <see cref="RandomAccess.WriteAsync(SafeFileHandle, ReadOnlyMemory{byte}, long, CancellationToken)"/>,
/// as many thread-pool hops (on Linux an "async" file write is a hop around the same pwrite):
/// ~3.5 futex calls per block in <c>strace -c</c> of a 1 GiB <c>granary get</c>. Writes are
/// synchronous, as in <see cref="FileRandomAccessStorage"/>: a 1 MiB write into the page cache
/// takes less than a hop. Blocks still buffered when a download stops are written only by
/// <see cref="FlushAsync"/>: callers flush before they record what is written.
/// </remarks>
internal sealed class CoalescingFileSink : IBaoSink, IDisposable
{
    /// <summary>The most bytes written in one call: 64 blocks of 16 KiB.</summary>
    public const int RunBytes = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly Func<long, long, CancellationToken, Task>? _written;
    private byte[]? _run = ArrayPool<byte>.Shared.Rent(RunBytes);
    private long _start;
    private int _length;

    /// <summary>Writes into <paramref name="file"/> (the caller keeps ownership) and calls <paramref name="written"/> after each run.</summary>
    public CoalescingFileSink(SafeFileHandle file, Func<long, long, CancellationToken, Task>? written = null)
    {
        _file = file;
        _written = written;
    }

    /// <inheritdoc/>
    public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc/>
    /// <exception cref="IOException">A run (a full one, or the one a gap ended) could not be written; this block was not taken.</exception>
    public async ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        byte[] run = _run ?? throw new ObjectDisposedException(nameof(CoalescingFileSink));
        long offset = block * BaoTree.BlockSize;
        if (_length > 0 && offset != _start + _length)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_length == 0)
        {
            _start = offset;
        }

        data.Span.CopyTo(run.AsSpan(_length));
        _length += data.Length;

        // Written as soon as another block would not fit, so that a run is reported (and a
        // progress-driven stop takes effect) with nothing left behind in the buffer.
        if (_length > RunBytes - BaoTree.BlockSize)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the buffered run, if any, then reports it. A report that throws is not repeated:
    /// the run is written but was not recorded, so a resume fetches it again.
    /// </summary>
    /// <exception cref="IOException">The run could not be written; it stays buffered.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        byte[] run = _run ?? throw new ObjectDisposedException(nameof(CoalescingFileSink));
        if (_length == 0)
        {
            return;
        }

        RandomAccess.Write(_file, run.AsSpan(0, _length), _start);
        long from = _start, to = _start + _length;
        _length = 0;
        if (_written is not null)
        {
            await _written(from, to, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Returns the buffer to the pool; what was not flushed is dropped (it was never reported).</summary>
    public void Dispose()
    {
        if (_run is not null)
        {
            ArrayPool<byte>.Shared.Return(_run);
            _run = null;
        }
    }
}
