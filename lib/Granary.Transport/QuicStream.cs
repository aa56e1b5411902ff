using System.Buffers;
using Granary.Transport.Native;

namespace Granary.Transport;

/// <summary>
/// One QUIC stream as a <see cref="Stream"/>: asynchronous reads and writes on memory,
/// <see cref="CompleteWrites"/> for FIN, <see cref="Abort"/> with an error code. After the peer's
/// FIN, reads return 0. A peer's abort surfaces as <see cref="QuicException"/> with
/// <see cref="QuicError.StreamAborted"/> and its code.
/// </summary>
/// <remarks>Asynchronous only: the synchronous Read and Write would block a thread on the network.</remarks>
public sealed class QuicStream : Stream
{
    private readonly ulong _handle;
    private readonly string _protocol;
    private readonly bool _canRead;
    private readonly bool _canWrite;
    private readonly CancellationTokenSource _readAborted = new();
    private readonly CancellationTokenSource _writeAborted = new();
    private Task? _writesClosed;
    private bool _readsFinished;
    private int _disposed;

    internal QuicStream(ulong handle, string protocol, bool canRead, bool canWrite)
    {
        _handle = handle;
        _protocol = protocol;
        _canRead = canRead;
        _canWrite = canWrite;
    }

    /// <summary>Completes when the peer has acknowledged everything written and the FIN (after <see cref="CompleteWrites"/>).</summary>
    public Task WritesClosed => _writesClosed ?? Task.CompletedTask;

    /// <inheritdoc/>
    public override bool CanRead => _canRead;

    /// <inheritdoc/>
    public override bool CanWrite => _canWrite;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("A QUIC stream has no length.");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException("A QUIC stream has no position.");
        set => throw new NotSupportedException("A QUIC stream has no position.");
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        if (!_canRead)
        {
            throw new NotSupportedException("This stream only sends.");
        }

        ThrowIfAborted(_readAborted, "reading");
        if (buffer.IsEmpty || _readsFinished)
        {
            return 0;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _readAborted.Token);
        using MemoryHandle pin = buffer.Pin();
        try
        {
            ulong read = await NativeOperations.RunAsync(
                op => StartRead(_handle, pin, buffer.Length, op), "reading the stream", linked.Token).ConfigureAwait(false);
            _readsFinished = read == 0;
            TransportMetrics.Received(_protocol, (long)read);
            return (int)read;
        }
        catch (OperationCanceledException) when (_readAborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Aborted("reading");
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        if (!_canWrite)
        {
            throw new NotSupportedException("This stream only receives.");
        }

        if (_writesClosed is not null)
        {
            throw new QuicException(QuicError.StreamClosed, null, "writing the stream failed: CompleteWrites was already called");
        }

        if (buffer.IsEmpty)
        {
            return;
        }

        ThrowIfAborted(_writeAborted, "writing");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _writeAborted.Token);
        try
        {
            // The native side copies the bytes before StreamWrite returns, so the pin ends with the call.
            await NativeOperations.RunAsync(op => StartWrite(_handle, buffer, op), "writing the stream", linked.Token).ConfigureAwait(false);
            TransportMetrics.Sent(_protocol, buffer.Length);
        }
        catch (OperationCanceledException) when (_writeAborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Aborted("writing");
        }
    }

    /// <summary>Sends FIN after the data written so far; <see cref="WritesClosed"/> tracks its acknowledgement.</summary>
    public void CompleteWrites()
    {
        if (_canWrite && _writesClosed is null)
        {
            _writesClosed = NativeOperations.RunAsync(op => NativeMethods.StreamFinish(_handle, op), "finishing the stream", CancellationToken.None);
        }
    }

    /// <summary>
    /// Abandons one or both sides with an application error code: pending reads and writes on
    /// this side stop, and the peer's fail with <paramref name="errorCode"/>.
    /// </summary>
    public void Abort(QuicAbortDirection direction, long errorCode)
    {
        if (direction.HasFlag(QuicAbortDirection.Write) && _canWrite && !_writeAborted.IsCancellationRequested)
        {
            _writeAborted.Cancel();
            _writesClosed ??= Task.CompletedTask;
            _ = NativeOperations.RunAsync(op => NativeMethods.StreamReset(_handle, (ulong)errorCode, op), "aborting the stream", CancellationToken.None);
        }

        if (direction.HasFlag(QuicAbortDirection.Read) && _canRead && !_readAborted.IsCancellationRequested)
        {
            _readAborted.Cancel();
            _ = NativeOperations.RunAsync(op => NativeMethods.StreamStop(_handle, (ulong)errorCode, op), "aborting the stream", CancellationToken.None);
        }
    }

    private static void ThrowIfAborted(CancellationTokenSource aborted, string what)
    {
        if (aborted.IsCancellationRequested)
        {
            throw Aborted(what);
        }
    }

    private static QuicException Aborted(string what) =>
        new(QuicError.OperationAborted, null, $"{what} the stream failed: this side aborted it");

    private static unsafe int StartRead(ulong stream, MemoryHandle pin, int length, ulong op) =>
        NativeMethods.StreamRead(stream, (byte*)pin.Pointer, (nuint)length, op);

    private static unsafe int StartWrite(ulong stream, ReadOnlyMemory<byte> data, ulong op)
    {
        using MemoryHandle pin = data.Pin();
        return NativeMethods.StreamWrite(stream, (byte*)pin.Pointer, (nuint)data.Length, op);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("QuicStream is asynchronous: use ReadAsync.");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("QuicStream is asynchronous: use WriteAsync.");

    /// <inheritdoc/>
    public override void Flush()
    {
        // Written data is handed to the transport at once; there is nothing to flush.
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A QUIC stream cannot seek.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A QUIC stream has no length.");

    /// <summary>
    /// Finishes the writing side if still open (FIN; the data already written is delivered),
    /// stops the reading side if the peer's data was not read to the end, and releases the stream.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_writeAborted.IsCancellationRequested)
        {
            CompleteWrites();
        }

        if (_canRead && !_readsFinished && !_readAborted.IsCancellationRequested)
        {
            _ = NativeOperations.RunAsync(op => NativeMethods.StreamStop(_handle, 0, op), "closing the stream", CancellationToken.None);
        }

        _ = NativeMethods.Release(_handle);
        _readAborted.Dispose();
        _writeAborted.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CompleteWrites();
            _ = NativeMethods.Release(_handle);
            _readAborted.Dispose();
            _writeAborted.Dispose();
        }

        base.Dispose(disposing);
    }
}
