namespace Granary.Transport;

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
