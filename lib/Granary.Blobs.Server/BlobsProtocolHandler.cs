using Granary.Blobs.Protocol;
using Granary.Storage.Blobs;
using Granary.Storage.Scrub;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Blobs.Server;

/// <summary>
/// <c>granary/blobs/1</c> on QUIC: one request per bidirectional stream, each handed to
/// <see cref="BlobRequestHandler"/> (where the protocol logic lives); this loop only turns the
/// handler's <see cref="StreamOutcome"/> into FIN, resets and connection closes.
/// </summary>
public sealed class BlobsProtocolHandler : IProtocolHandler
{
    /// <summary>The protocol's ALPN (<see cref="BlobsProtocol.Alpn"/>).</summary>
    public const string Alpn = BlobsProtocol.Alpn;

    private readonly BlobRequestHandler _requests;
    private readonly TimeSpan _shutdownGrace;

    /// <summary>A handler over <paramref name="store"/>, in <paramref name="cluster"/> if given, serving transfer channels' gets through <paramref name="channels"/> if given, and <c>scrub</c> through <paramref name="scrubber"/> if given.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (<see cref="BlobsServerOptions.Validate"/>).</exception>
    public BlobsProtocolHandler(BlobStore store, BlobsServerOptions options, ILogger<BlobsProtocolHandler> logger, IBlobCluster? cluster = null, IChannelDataGate? channels = null, BlobScrubber? scrubber = null)
    {
        _requests = new BlobRequestHandler(store, options, logger, cluster, channels, scrubber);
        _shutdownGrace = options.ShutdownGrace;
    }

    /// <inheritdoc/>
    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new BlobSession(connection.RemoteNodeId, _requests.IsTrusted(connection.RemoteNodeId));
        await connection.ServeStreamsAsync(stream => ServeAsync(connection, stream, session, shutdown), shutdown).ConfigureAwait(false);
        if (shutdown.IsCancellationRequested && session.Abandoned > 0)
        {
            // A reset is retransmitted until acknowledged only while the connection lives; closing at
            // once lets a busy client lose both reset and close and wait out its idle timeout. Give
            // it a moment to read the 503 and leave.
            await Task.WhenAny(connection.Closed, Task.Delay(_shutdownGrace, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(QuicConnection connection, QuicStream stream, BlobSession session, CancellationToken shutdown)
    {
        await using (stream.ConfigureAwait(false))
        {
            var context = new BlobRequestContext(stream, stream, session, code => stream.Abort(QuicAbortDirection.Read, code));
            StreamOutcome outcome = await _requests.ServeAsync(context, shutdown).ConfigureAwait(false);
            switch (outcome)
            {
                case StreamOutcome.Abandoned:
                    // A clean end (FIN) here would look like a truncated reply, which a client must
                    // treat as bad data; a reset with 503 says "this silo is going away, retry".
                    stream.Abort(QuicAbortDirection.Both, (long)BlobStatus.Unavailable);
                    session.Abandon();
                    break;
                case StreamOutcome.CloseConnection:
                    stream.CompleteWrites();
                    await stream.WritesClosed.ConfigureAwait(false);
                    connection.Close((long)BlobStatus.Unauthorized, "wrong token");
                    break;
                default:
                    stream.CompleteWrites();
                    break;
            }
        }
    }
}
