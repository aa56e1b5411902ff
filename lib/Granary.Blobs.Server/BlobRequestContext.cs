namespace Granary.Blobs.Server;

/// <summary>
/// What a request handler works with: the request's data after its metadata block
/// (<see cref="Input"/>), where the replies go (<see cref="Output"/>), the connection's
/// <see cref="Session"/>, and a way to stop the client sending. Plain streams, so the protocol
/// logic runs the same over a QUIC stream and over in-memory pipes in tests (iroh-blobs' handlers
/// are generic over their send and receive streams for the same reason).
/// </summary>
/// <param name="input">The request's bytes after its metadata block, up to the client's FIN.</param>
/// <param name="output">The reply stream.</param>
/// <param name="session">The connection's state.</param>
/// <param name="stopReading">Asks the client to stop sending (QUIC STOP_SENDING) with an error code; null where there is no such signal.</param>
public sealed class BlobRequestContext(Stream input, Stream output, BlobSession session, Action<long>? stopReading = null)
{
    /// <summary>The request's bytes after its metadata block, up to the client's FIN.</summary>
    public Stream Input { get; } = input;

    /// <summary>The reply stream.</summary>
    public Stream Output { get; } = output;

    /// <summary>The connection's state.</summary>
    public BlobSession Session { get; } = session;

    /// <summary>Error code of the last <see cref="StopReading"/>, if any (what tests look at).</summary>
    public long? StoppedReading { get; private set; }

    /// <summary>Tells the client to stop sending: the rest of its data will not be read.</summary>
    public void StopReading(long code)
    {
        StoppedReading = code;
        stopReading?.Invoke(code);
    }
}
