//! Status codes shared with C# (`NativeStatus`). Keep the numbers in step with it.

#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    InvalidHandle = 2,
    Internal = 3,
    /// Could not connect: bad address, unreachable, refused.
    ConnectFailed = 4,
    /// The peer stopped answering (idle timeout).
    TimedOut = 5,
    /// The peer closed the connection; value = its application error code, message = reason.
    ClosedByPeer = 6,
    /// This side closed the connection.
    ClosedLocally = 7,
    /// A transport-level failure (reset, protocol violation, version mismatch).
    ConnectionLost = 8,
    /// The peer reset the stream we read from; value = its error code.
    StreamReset = 9,
    /// The peer asked us to stop writing; value = its error code.
    StreamStopped = 10,
    /// TLS failed: no common ALPN, or the peer's identity was refused.
    HandshakeFailed = 11,
    /// The endpoint is closed.
    EndpointClosed = 12,
    /// The stream was already finished or reset on this side.
    StreamClosed = 13,
    Cancelled = 14,
}
