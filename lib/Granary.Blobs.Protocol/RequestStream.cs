using Granary.Transport;

namespace Granary.Blobs.Protocol;

/// <summary>
/// The life of one request on a protocol built on metadata blocks (<c>granary/transfer/1</c>,
/// <c>granary/topics/1</c>): read the request block within a header timeout, hand it to the
/// protocol's dispatch, and turn any failure into the one error reply its map gives. A client that
/// went away mid-request is no error. Plain streams, so a protocol's handling runs the same over a
/// QUIC stream and over in-memory streams in tests (as <c>BlobRequestHandler</c> does for the blobs
/// protocol; iroh-blobs' handlers are generic over their streams for the same reason).
/// </summary>
public static class RequestStream
{
    /// <summary>How long a client may take to send its request block: 10 s.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Serves the request read from <paramref name="input"/>; replies go to <paramref name="output"/>, which the caller ends.</summary>
    /// <param name="input">The request's bytes: one metadata block.</param>
    /// <param name="output">Where the replies (or the error reply) are written.</param>
    /// <param name="dispatch">Answers the request block (writes its replies to <paramref name="output"/>).</param>
    /// <param name="toErrorReply">The protocol's one map from a failure to its reply; null when nobody is left to answer. A header timeout arrives as an <see cref="OperationCanceledException"/>.</param>
    /// <param name="onInternal">Told of a failure answered 500 (a bug), to log it.</param>
    /// <param name="shutdown">The silo is stopping.</param>
    public static async Task ServeAsync(
        Stream input, Stream output, Func<MetadataBlock, Task> dispatch, Func<Exception, ErrorReply?> toErrorReply, Action<Exception> onInternal, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dispatch);
        ArgumentNullException.ThrowIfNull(toErrorReply);
        ArgumentNullException.ThrowIfNull(onInternal);
        try
        {
            MetadataBlock? block;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
            {
                timeout.CancelAfter(HeaderTimeout);
                block = await MetadataBlock.ReadAsync(input, timeout.Token).ConfigureAwait(false);
            }

            if (block is not null)
            {
                await dispatch(block).ConfigureAwait(false);
            }
        }
        catch (QuicException)
        {
            // The other end went away mid-request.
        }
        catch (Exception error) when (toErrorReply(error) is { } reply)
        {
            if (reply.Code == BlobStatus.Internal)
            {
                onInternal(error);
            }

            try
            {
                await reply.WriteAsync(output, shutdown).ConfigureAwait(false);
            }
            catch (Exception gone) when (gone is QuicException or OperationCanceledException)
            {
                // Nobody left to tell.
            }
        }
    }

    /// <summary>
    /// Serves one request on a QUIC stream the peer opened: <paramref name="serve"/> reads from and
    /// writes to it; then the stream is ended (FIN) and disposed.
    /// </summary>
    public static async Task ServeAsync(QuicStream stream, Func<Stream, Task> serve)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(serve);
        await using (stream.ConfigureAwait(false))
        {
            await serve(stream).ConfigureAwait(false);
            stream.CompleteWrites();
        }
    }
}
