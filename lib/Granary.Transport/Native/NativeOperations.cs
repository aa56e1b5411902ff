using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Granary.Transport.Native;

/// <summary>
/// Turns the native library's asynchronous operations into tasks. Each operation gets an id;
/// the native side reports it exactly once through <see cref="OnComplete"/>, which runs on a
/// native (tokio) thread and only completes a task — continuations run on the thread pool.
/// </summary>
internal static class NativeOperations
{
    private static readonly ConcurrentDictionary<ulong, TaskCompletionSource<NativeResult>> Pending = new();
    private static readonly ConcurrentDictionary<ulong, Func<byte[], bool>> Verifiers = new();
    private static readonly Lazy<bool> Initialised = new(Initialise, LazyThreadSafetyMode.ExecutionAndPublication);
    private static long _nextId;

    /// <summary>What an operation completed with.</summary>
    public readonly record struct NativeResult(NativeStatus Status, ulong Value, string Message);

    /// <summary>Operations started and not yet completed (for leak checks).</summary>
    public static int PendingCount => Pending.Count;

    public static void EnsureInitialised() => _ = Initialised.Value;

    public static ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Starts an operation with <paramref name="start"/> (which receives the id) and waits for
    /// its completion; a failure becomes a <see cref="QuicException"/>. Cancelling the token
    /// aborts the native operation.
    /// </summary>
    public static async Task<ulong> RunAsync(Func<ulong, int> start, string what, CancellationToken cancellationToken)
    {
        NativeResult result = await StartAsync(start, what, cancellationToken).ConfigureAwait(false);
        if (result.Status == NativeStatus.Cancelled)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return result.Status == NativeStatus.Ok ? result.Value : throw ToException(result.Status, result.Value, result.Message, what);
    }

    /// <summary>Like <see cref="RunAsync"/> but returns the raw result instead of throwing on failure.</summary>
    public static async Task<NativeResult> StartAsync(Func<ulong, int> start, string what, CancellationToken cancellationToken)
    {
        EnsureInitialised();
        ulong id = NextId();
        var completion = new TaskCompletionSource<NativeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Pending[id] = completion;
        int status = start(id);
        if (status != 0)
        {
            Pending.TryRemove(id, out _);
            throw ToException((NativeStatus)status, 0, LastError(), what);
        }

        using (cancellationToken.Register(static state => NativeMethods.Cancel((ulong)state!), id))
        {
            return await completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Throws for a failed synchronous native call.</summary>
    public static void Check(int status, string what)
    {
        if (status != 0)
        {
            throw ToException((NativeStatus)status, 0, LastError(), what);
        }
    }

    /// <summary>Registers the identity check for one connect; the native verifier calls it with the server's certificate.</summary>
    public static ulong RegisterVerifier(Func<byte[], bool> verifier)
    {
        ulong id = NextId();
        Verifiers[id] = verifier;
        return id;
    }

    public static void UnregisterVerifier(ulong id) => Verifiers.TryRemove(id, out _);

    public static QuicException ToException(NativeStatus status, ulong value, string message, string what)
    {
        var (error, code) = status switch
        {
            NativeStatus.ConnectFailed => (QuicError.ConnectionRefused, (long?)null),
            NativeStatus.TimedOut => (QuicError.ConnectionIdle, null),
            NativeStatus.ClosedByPeer => (QuicError.ConnectionAborted, (long)value),
            NativeStatus.ClosedLocally => (QuicError.OperationAborted, null),
            NativeStatus.ConnectionLost => (QuicError.ConnectionLost, null),
            NativeStatus.StreamReset or NativeStatus.StreamStopped => (QuicError.StreamAborted, (long)value),
            NativeStatus.HandshakeFailed => (QuicError.HandshakeFailed, null),
            NativeStatus.EndpointClosed => (QuicError.EndpointClosed, null),
            NativeStatus.StreamClosed => (QuicError.StreamClosed, null),
            NativeStatus.InvalidArgument or NativeStatus.InvalidHandle => (QuicError.InvalidArgument, null),
            _ => (QuicError.InternalError, null),
        };
        string detail = code is { } c ? $"{message} (application error code {c})" : message;
        return new QuicException(error, code, $"{what} failed: {detail}");
    }

    private static unsafe string LastError()
    {
        byte* buffer = stackalloc byte[1024];
        int length = (int)Math.Min(1024, (long)NativeMethods.LastError(buffer, 1024));
        return Encoding.UTF8.GetString(buffer, length);
    }

    private static unsafe bool Initialise()
    {
        try
        {
            int status = NativeMethods.Init(&OnComplete, &OnVerify, (uint)WorkerThreads());
            Check(status, "starting the QUIC engine");
            return true;
        }
        catch (DllNotFoundException error)
        {
            throw new DllNotFoundException(
                $"The native QUIC library ({NativeMethods.Library}) was not found beside {typeof(NativeOperations).Assembly.Location}. " +
                "Build it with ./build.sh --target=Native (cargo, offline, over Debian's librust-quinn-dev).", error);
        }
    }

    /// <summary>
    /// Native I/O threads: GRANARY_QUIC_THREADS if set, else 1. One thread drives quinn's
    /// endpoint (a single task per endpoint) and keeps context switches down where processes
    /// share few cores; the CPU-heavy work after a completion runs on the .NET thread pool.
    /// </summary>
    private static int WorkerThreads() =>
        int.TryParse(Environment.GetEnvironmentVariable("GRANARY_QUIC_THREADS"), out int threads) && threads > 0 ? threads : 1;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnComplete(ulong op, int status, ulong value, byte* message, nuint length)
    {
        if (Pending.TryRemove(op, out var completion))
        {
            string text = length == 0 ? string.Empty : Encoding.UTF8.GetString(message, (int)length);
            completion.TrySetResult(new NativeResult((NativeStatus)status, value, text));
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int OnVerify(ulong context, byte* certificate, nuint length)
    {
        try
        {
            byte[] der = new ReadOnlySpan<byte>(certificate, (int)length).ToArray();
            if (context == 0)
            {
                // An accepting endpoint takes any well-formed key; callers authorise by node id later.
                _ = NodeId.FromCertificate(der);
                return 1;
            }

            return Verifiers.TryGetValue(context, out var verify) && verify(der) ? 1 : 0;
        }
#pragma warning disable CA1031 // Nothing may escape into native code: a malformed certificate is refused.
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }
}
