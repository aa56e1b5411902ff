using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static Granary.Storage.IO.IoUring.IoUringInterop;

namespace Granary.Storage.IO.IoUring;

/// <summary>
/// File I/O through one io_uring: positional reads (<c>IORING_OP_READ</c>), writes
/// (<c>IORING_OP_WRITE</c>, repeated until a short write is complete) and fsyncs
/// (<c>IORING_OP_FSYNC</c>) of files the caller has opened. Each request is written into the
/// submission ring under a lock and submitted at once by the same caller with one
/// <c>io_uring_enter</c> for every entry not yet submitted — normally just its own, since nothing
/// waits to be batched: concurrent callers take turns at the lock, one syscall each. A single
/// reaper thread blocks in <c>io_uring_enter</c> until at least one completion is posted, takes all
/// that are, and completes each caller's task (continuations run on the thread pool). So there is
/// no thread per request, and at most as many requests in flight as the completion ring holds
/// (callers beyond that wait for a slot), which means the completion ring never overflows.
/// </summary>
/// <remarks>
/// Opening, renaming, deleting and directory fsyncs are not requests of this engine; callers do
/// them with ordinary system calls. Cancellation is honoured until a request is submitted; a
/// submitted file request is not recalled (it completes in microseconds to milliseconds).
/// Buffers stay pinned and file handles referenced until their request completes.
/// </remarks>
public sealed class IoUringFileIo : IFileIo
{
    private const ulong StopToken = ulong.MaxValue;

    private readonly Ring _ring;
    private readonly ConcurrentDictionary<ulong, Request> _requests = new();
    private readonly SemaphoreSlim _slots;
    private readonly Thread _reaper;
    private readonly TaskCompletionSource _reaperDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private int _outstanding;
    private volatile bool _stopping;

    private IoUringFileIo(Ring ring)
    {
        _ring = ring;
        _slots = new SemaphoreSlim((int)ring.CompletionEntries);
        _reaper = new Thread(ReapCompletions) { IsBackground = true, Name = "granary-io_uring" };
        _reaper.Start();
    }

    /// <inheritdoc/>
    public string Name => "io_uring";

    /// <summary>Requests submitted and not yet completed.</summary>
    public int InFlight => _requests.Count;

    /// <summary>
    /// Sets up a ring of <paramref name="entries"/> submission slots, or returns null with the
    /// kernel's reason when io_uring is refused (old kernel, seccomp, io_uring_disabled).
    /// </summary>
    public static IoUringFileIo? TryCreate(uint entries, out string? refusal)
    {
        Ring? ring = Ring.TrySetup(entries, out refusal);
        return ring is null ? null : new IoUringFileIo(ring);
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(SafeFileHandle file, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int result = await SubmitAsync(OpRead, file, offset, buffer.Pin(), buffer.Length, cancellationToken).ConfigureAwait(false);
        return result >= 0 ? result : throw Failure("read", offset, result);
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(SafeFileHandle file, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        // A write may be short (rarely, for regular files): continue until all is written.
        for (int written = 0; written < data.Length;)
        {
            ReadOnlyMemory<byte> rest = data[written..];
            int result = await SubmitAsync(OpWrite, file, offset + written, rest.Pin(), rest.Length, cancellationToken).ConfigureAwait(false);
            if (result <= 0)
            {
                throw result == 0
                    ? new IOException($"io_uring write at byte {offset + written} wrote nothing; the device may be full.")
                    : Failure("write", offset + written, result);
            }

            written += result;
        }
    }

    /// <inheritdoc/>
    public async ValueTask FlushToDiskAsync(SafeFileHandle file, CancellationToken cancellationToken = default)
    {
        int result = await SubmitAsync(OpFsync, file, 0, default, 0, cancellationToken).ConfigureAwait(false);
        if (result < 0)
        {
            throw Failure("fsync", 0, result);
        }
    }

    /// <summary>
    /// Refuses new requests, lets every request already made finish (including those still
    /// waiting for a slot), then stops the reaper and unmaps the ring.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (Volatile.Read(ref _outstanding) > 0)
        {
            await _drained.Task.ConfigureAwait(false);
        }

        _ring.Submit(OpNop, -1, 0, 0, 0, StopToken);
        await _reaperDone.Task.ConfigureAwait(false);
        _ring.Dispose();
        _slots.Dispose();
    }

    private static IOException Failure(string what, long offset, int result) =>
        new($"io_uring {what} at byte {offset} failed: {Describe(-result)} (errno {-result}).");

    private async ValueTask<int> SubmitAsync(byte opcode, SafeFileHandle file, long offset, MemoryHandle pin, int length, CancellationToken cancellationToken)
    {
        // Counted from here to completion, so that disposal waits for every request it did not refuse.
        Interlocked.Increment(ref _outstanding);
        try
        {
            if (_stopping)
            {
                pin.Dispose();
                throw new ObjectDisposedException(nameof(IoUringFileIo));
            }

            return await SubmitCountedAsync(opcode, file, offset, pin, length, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _outstanding) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    private async ValueTask<int> SubmitCountedAsync(byte opcode, SafeFileHandle file, long offset, MemoryHandle pin, int length, CancellationToken cancellationToken)
    {
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            pin.Dispose();
            throw;
        }

        bool referenced = false;
        file.DangerousAddRef(ref referenced);
        var request = new Request(pin, file, _slots);
        ulong id = (ulong)Interlocked.Increment(ref _nextId);
        _requests[id] = request;
        try
        {
            _ring.Submit(opcode, (int)file.DangerousGetHandle(), (ulong)offset, Address(pin), (uint)length, id);
        }
        catch
        {
            // Not queued: nothing will complete it.
            _requests.TryRemove(id, out _);
            request.Finish(0);
            throw;
        }

        return await request.Completion.Task.ConfigureAwait(false);
    }

    private static unsafe ulong Address(MemoryHandle pin) => (ulong)pin.Pointer;

    private void ReapCompletions()
    {
        try
        {
            bool stopSeen = false;
            while (!stopSeen || !_requests.IsEmpty)
            {
                foreach (var (userData, result) in _ring.WaitForCompletions())
                {
                    if (userData == StopToken)
                    {
                        stopSeen = true;
                    }
                    else if (_requests.TryRemove(userData, out Request? request))
                    {
                        request.Finish(result);
                    }
                }
            }
        }
        finally
        {
            _reaperDone.TrySetResult();
        }
    }

    private sealed class Request(MemoryHandle pin, SafeFileHandle file, SemaphoreSlim slots)
    {
        private MemoryHandle _pin = pin;

        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish(int result)
        {
            _pin.Dispose();
            file.DangerousRelease();
            slots.Release();
            Completion.TrySetResult(result);
        }
    }

    /// <summary>The mapped rings. Submission is serialised by a lock; completions have one reader.</summary>
    private sealed unsafe class Ring : IDisposable
    {
        private readonly int _fd;
        private readonly nint _ringMemory;
        private readonly nuint _ringSize;
        private readonly nint _cqMemory;
        private readonly nuint _cqSize;
        private readonly nint _sqeMemory;
        private readonly nuint _sqeSize;
        private readonly uint* _sqHead;
        private readonly uint* _sqTail;
        private readonly uint _sqMask;
        private readonly uint* _sqArray;
        private readonly Sqe* _sqes;
        private readonly uint* _cqHead;
        private readonly uint* _cqTail;
        private readonly uint _cqMask;
        private readonly Cqe* _cqes;
        private readonly Lock _submitLock = new();
        private readonly List<(ulong, int)> _completed = [];
        private uint _unsubmitted;
        private bool _closed;

        private Ring(int fd, in Params p)
        {
            _fd = fd;
            CompletionEntries = p.CqEntries;
            nuint sqSize = p.SqOffsets.Array + (p.SqEntries * sizeof(uint));
            nuint cqSize = p.CqOffsets.Cqes + (p.CqEntries * (uint)sizeof(Cqe));
            bool single = (p.Features & FeatureSingleMmap) != 0;
            _ringSize = single ? Math.Max(sqSize, cqSize) : sqSize;
            _ringMemory = Map(_ringSize, OffsetSqRing);
            if (single)
            {
                _cqMemory = _ringMemory;
            }
            else
            {
                _cqSize = cqSize;
                _cqMemory = Map(cqSize, OffsetCqRing);
            }

            _sqeSize = p.SqEntries * (uint)sizeof(Sqe);
            _sqeMemory = Map(_sqeSize, OffsetSqes);

            byte* sq = (byte*)_ringMemory;
            _sqHead = (uint*)(sq + p.SqOffsets.Head);
            _sqTail = (uint*)(sq + p.SqOffsets.Tail);
            _sqMask = *(uint*)(sq + p.SqOffsets.RingMask);
            _sqArray = (uint*)(sq + p.SqOffsets.Array);
            _sqes = (Sqe*)_sqeMemory;
            byte* cq = (byte*)_cqMemory;
            _cqHead = (uint*)(cq + p.CqOffsets.Head);
            _cqTail = (uint*)(cq + p.CqOffsets.Tail);
            _cqMask = *(uint*)(cq + p.CqOffsets.RingMask);
            _cqes = (Cqe*)(cq + p.CqOffsets.Cqes);
        }

        public uint CompletionEntries { get; }

        public static Ring? TrySetup(uint entries, out string? refusal)
        {
            Params p = default;
            long fd = SyscallSetup(SysIoUringSetup, entries, &p);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                refusal = $"io_uring_setup failed: {Describe(errno)} (errno {errno})";
                return null;
            }

            try
            {
                refusal = null;
                return new Ring((int)fd, p);
            }
            catch (IOException error)
            {
                _ = IoUringInterop.Close((int)fd);
                refusal = error.Message;
                return null;
            }
        }

        /// <summary>Queues one request and submits everything queued so far.</summary>
        public void Submit(byte opcode, int fd, ulong offset, ulong address, uint length, ulong userData)
        {
            lock (_submitLock)
            {
                ObjectDisposedException.ThrowIf(_closed, typeof(IoUringFileIo));
                uint tail = *_sqTail;
                while (tail - Volatile.Read(ref *_sqHead) > _sqMask)
                {
                    // The submission ring is full of entries the kernel has not taken yet (an earlier
                    // enter submitted fewer than were queued). Without SQPOLL the kernel takes entries
                    // only when asked to submit them, so ask; an enter that submits nothing would spin here.
                    _unsubmitted -= Enter(_unsubmitted, 0);
                }

                uint index = tail & _sqMask;
                Sqe* sqe = _sqes + index;
                *sqe = default;
                sqe->Opcode = opcode;
                sqe->Fd = fd;
                sqe->Offset = offset;
                sqe->Address = address;
                sqe->Length = length;
                sqe->UserData = userData;
                _sqArray[index] = index;
                Volatile.Write(ref *_sqTail, tail + 1);
                _unsubmitted++;
                _unsubmitted -= Enter(_unsubmitted, 0);
            }
        }

        /// <summary>Blocks until at least one completion is posted, then takes all that are.</summary>
        public List<(ulong UserData, int Result)> WaitForCompletions()
        {
            _completed.Clear();
            uint head = *_cqHead;
            if (head == Volatile.Read(ref *_cqTail))
            {
                long result = SyscallEnter(SysIoUringEnter, _fd, 0, 1, EnterGetEvents, 0, 0);
                if (result < 0 && Marshal.GetLastPInvokeError() is not (EINTR or EAGAIN or EBUSY))
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"io_uring_enter (waiting) failed: {Describe(errno)} (errno {errno}).");
                }
            }

            uint tail = Volatile.Read(ref *_cqTail);
            for (; head != tail; head++)
            {
                Cqe* cqe = _cqes + (head & _cqMask);
                _completed.Add((cqe->UserData, cqe->Result));
            }

            Volatile.Write(ref *_cqHead, head);
            return _completed;
        }

        public void Dispose()
        {
            lock (_submitLock)
            {
                _closed = true;
            }

            _ = Munmap(_sqeMemory, _sqeSize);
            if (_cqMemory != _ringMemory)
            {
                _ = Munmap(_cqMemory, _cqSize);
            }

            _ = Munmap(_ringMemory, _ringSize);
            _ = IoUringInterop.Close(_fd);
        }

        private uint Enter(uint toSubmit, uint flags)
        {
            while (true)
            {
                long submitted = SyscallEnter(SysIoUringEnter, _fd, toSubmit, 0, flags, 0, 0);
                if (submitted >= 0)
                {
                    return (uint)submitted;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (EINTR or EAGAIN or EBUSY))
                {
                    throw new IOException($"io_uring_enter (submitting) failed: {Describe(errno)} (errno {errno}).");
                }

                Thread.Yield();
            }
        }

        private nint Map(nuint size, long offset)
        {
            nint address = Mmap(0, size, ProtRead | ProtWrite, MapShared | MapPopulate, _fd, offset);
            if (address == -1)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"mapping the io_uring rings failed: {Describe(errno)} (errno {errno})");
            }

            return address;
        }
    }
}
