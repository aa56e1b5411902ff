namespace Granary.Transport.Native;

/// <summary>Status codes of the native library; the numbers are those of native/src/status.rs.</summary>
internal enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidHandle = 2,
    Internal = 3,
    ConnectFailed = 4,
    TimedOut = 5,
    ClosedByPeer = 6,
    ClosedLocally = 7,
    ConnectionLost = 8,
    StreamReset = 9,
    StreamStopped = 10,
    HandshakeFailed = 11,
    EndpointClosed = 12,
    StreamClosed = 13,
    Cancelled = 14,
}
