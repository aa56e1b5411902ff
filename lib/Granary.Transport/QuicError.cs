namespace Granary.Transport;

/// <summary>What went wrong on a QUIC endpoint, connection or stream.</summary>
public enum QuicError
{
    /// <summary>A bug or resource failure inside the transport.</summary>
    InternalError,

    /// <summary>An argument was not acceptable (bad address, value out of range).</summary>
    InvalidArgument,

    /// <summary>The peer could not be reached, or did not answer within the connect timeout.</summary>
    ConnectionRefused,

    /// <summary>The handshake failed: no common application protocol (ALPN), or the peer is not the expected node.</summary>
    HandshakeFailed,

    /// <summary>The peer closed the connection; see <see cref="QuicException.ApplicationErrorCode"/>.</summary>
    ConnectionAborted,

    /// <summary>This side closed the connection (or its endpoint).</summary>
    OperationAborted,

    /// <summary>The peer stopped answering for longer than the idle timeout.</summary>
    ConnectionIdle,

    /// <summary>The connection failed at the transport level.</summary>
    ConnectionLost,

    /// <summary>The peer aborted the stream; see <see cref="QuicException.ApplicationErrorCode"/>.</summary>
    StreamAborted,

    /// <summary>This side of the stream was already completed or aborted.</summary>
    StreamClosed,

    /// <summary>The endpoint is closed and accepts or connects nothing more.</summary>
    EndpointClosed,
}
