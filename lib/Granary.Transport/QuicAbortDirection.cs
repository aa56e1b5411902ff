namespace Granary.Transport;

/// <summary>Which side of a stream <see cref="QuicStream.Abort"/> abandons.</summary>
[Flags]
public enum QuicAbortDirection
{
    /// <summary>Stop reading: the peer's writes fail with the code (STOP_SENDING).</summary>
    Read = 1,

    /// <summary>Stop writing: the peer's reads fail with the code (RESET_STREAM).</summary>
    Write = 2,

    /// <summary>Both sides.</summary>
    Both = Read | Write,
}
