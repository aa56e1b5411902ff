using System.Runtime.InteropServices;

namespace Granary.Transport.Native;

/// <summary>The native library's C ABI (native/src/lib.rs documents each call).</summary>
internal static unsafe partial class NativeMethods
{
    public const string Library = "granary_quic";

    [StructLayout(LayoutKind.Sequential)]
    public struct TransportParams
    {
        public ulong StreamReceiveWindow;
        public ulong ReceiveWindow;
        public ulong SendWindow;
        public ulong MaxBidirectionalStreams;
        public ulong MaxUnidirectionalStreams;
        public ulong IdleTimeoutMs;
        public ulong KeepAliveMs;
        public ulong InitialMaxUdpPayloadSize;
    }

    [LibraryImport(Library, EntryPoint = "granary_init")]
    public static partial int Init(
        delegate* unmanaged[Cdecl]<ulong, int, ulong, byte*, nuint, void> complete,
        delegate* unmanaged[Cdecl]<ulong, byte*, nuint, int> verify,
        uint workerThreads);

    [LibraryImport(Library, EntryPoint = "granary_last_error")]
    public static partial nuint LastError(byte* buffer, nuint capacity);

    [LibraryImport(Library, EntryPoint = "granary_cancel")]
    public static partial void Cancel(ulong op);

    [LibraryImport(Library, EntryPoint = "granary_release")]
    public static partial int Release(ulong handle);

    [LibraryImport(Library, EntryPoint = "granary_handle_counts")]
    public static partial int HandleCounts(out ulong endpoints, out ulong connections, out ulong streams);

    [LibraryImport(Library, EntryPoint = "granary_endpoint_create")]
    public static partial int EndpointCreate(
        byte* bind, nuint bindLength, byte* certificate, nuint certificateLength, byte* key, nuint keyLength,
        byte* alpns, nuint alpnsLength, TransportParams* parameters, out ulong handle, out ushort port);

    [LibraryImport(Library, EntryPoint = "granary_endpoint_accept")]
    public static partial int EndpointAccept(ulong endpoint, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_endpoint_connect")]
    public static partial int EndpointConnect(ulong endpoint, byte* address, nuint addressLength, byte* alpn, nuint alpnLength, ulong verifyContext, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_endpoint_close")]
    public static partial int EndpointClose(ulong endpoint, ulong code, byte* reason, nuint reasonLength);

    [LibraryImport(Library, EntryPoint = "granary_endpoint_wait_idle")]
    public static partial int EndpointWaitIdle(ulong endpoint, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_open_bi")]
    public static partial int ConnectionOpenBidirectional(ulong connection, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_accept_bi")]
    public static partial int ConnectionAcceptBidirectional(ulong connection, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_open_uni")]
    public static partial int ConnectionOpenUnidirectional(ulong connection, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_accept_uni")]
    public static partial int ConnectionAcceptUnidirectional(ulong connection, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_close")]
    public static partial int ConnectionClose(ulong connection, ulong code, byte* reason, nuint reasonLength);

    [LibraryImport(Library, EntryPoint = "granary_connection_closed")]
    public static partial int ConnectionClosed(ulong connection, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_connection_info")]
    public static partial int ConnectionInfo(ulong connection, uint what, byte* buffer, nuint capacity, out nuint length);

    [LibraryImport(Library, EntryPoint = "granary_stream_write")]
    public static partial int StreamWrite(ulong stream, byte* data, nuint length, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_stream_finish")]
    public static partial int StreamFinish(ulong stream, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_stream_read")]
    public static partial int StreamRead(ulong stream, byte* buffer, nuint length, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_stream_reset")]
    public static partial int StreamReset(ulong stream, ulong code, ulong op);

    [LibraryImport(Library, EntryPoint = "granary_stream_stop")]
    public static partial int StreamStop(ulong stream, ulong code, ulong op);
}
