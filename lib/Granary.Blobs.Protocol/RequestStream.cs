using Granary.Transport;

namespace Granary.Blobs.Protocol;

/// <summary>
/// The life of one request stream on a protocol built on metadata blocks (<c>granary/transfer/1</c>,
/// <c>granary/topics/1</c>): read the request block within a header timeout, hand it to the
/// protocol's dispatch, turn any failure into the one error reply its map gives, and end the
/// stream. A client that went away mid-request is no error.
/// </summary>
public static class RequestStream
{
    /// <summary>How long a client may take to send its request block: 10 s.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Serves the request on <paramref name="stream"/> and disposes the stream.</summary>
    /// <param name="stream">A bidirectional stream the peer opened.</param>
    /// <param name="dispatch">Answers the request block (writes its replies).</param>
    /// <param name="toErrorReply">The protocol's one map from a failure to its reply; null when nobody is left to answer. A header timeout arrives as an <see cref="OperationCanceledException"/>.</param>
    /// <param name="onInternal">Told of a failure answered 500 (a bug), to log it.</param>
    /// <param name="shutdown">The silo is stopping.</param>
    public static async Task ServeAsync(
        QuicStream stream, Func<MetadataBlock, Task> dispatch, Func<Exception, ErrorReply?> toErrorReply, Action<Exception> onInternal, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(dispatch);
        ArgumentNullException.ThrowIfNull(toErrorReply);
        ArgumentNullException.ThrowIfNull(onInternal);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                MetadataBlock? block;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
                {
                    timeout.CancelAfter(HeaderTimeout);
                    block = await MetadataBlock.ReadAsync(stream, timeout.Token).ConfigureAwait(false);
                }

                if (block is not null)
                {
                    await dispatch(block).ConfigureAwait(false);
                }
            }
            catch (QuicException)
            {
                // The other end went away mid-request.
                return;
            }
            catch (Exception error) when (toErrorReply(error) is { } reply)
            {
                if (reply.Code == BlobStatus.Internal)
                {
                    onInternal(error);
                }

                try
                {
                    await reply.WriteAsync(stream, shutdown).ConfigureAwait(false);
                }
                catch (Exception gone) when (gone is QuicException or OperationCanceledException)
                {
                    // Nobody left to tell.
                }
            }

            stream.CompleteWrites();
        }
    }
}
