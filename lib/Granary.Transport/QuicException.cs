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

/// <summary>A QUIC failure, with the peer's application error code where it sent one.</summary>
public sealed class QuicException : IOException
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    public QuicException(QuicError error, long? applicationErrorCode, string message)
        : base(message)
    {
        Error = error;
        ApplicationErrorCode = applicationErrorCode;
    }

    /// <summary>The kind of failure.</summary>
    public QuicError Error { get; }

    /// <summary>The code the peer gave when it closed the connection or aborted the stream.</summary>
    public long? ApplicationErrorCode { get; }
}

/// <summary>Why a connection ended.</summary>
/// <param name="Error">The kind of ending (<see cref="QuicError.ConnectionAborted"/> when the peer closed it).</param>
/// <param name="ApplicationErrorCode">The code given by whoever closed it, if an application did.</param>
/// <param name="Reason">The reason text sent with the close, or a description.</param>
public sealed record ConnectionCloseInfo(QuicError Error, long? ApplicationErrorCode, string Reason);
