using System.Security.Cryptography;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Gossip;

/// <summary>
/// <c>granary/topics/1</c> on QUIC: one request per bidirectional stream — subscribe (a stream of
/// <see cref="TopicEvent"/>s until the client closes the stream or its connection), publish, or
/// list topics; each authorized by the cluster's admin token, or by being a cluster member. The
/// logic is in <see cref="GossipService"/>; this loop parses, authorizes, and maps every failure to
/// one error reply.
/// </summary>
public sealed partial class TopicsProtocolHandler(GossipService gossip, string adminToken, Func<NodeId, bool> isTrusted, ILogger<TopicsProtocolHandler> logger) : IProtocolHandler
{
    private static readonly TopicId ClusterEventsTopic = TopicId.FromName(TopicsProtocol.ClusterEventsTopic);

    private readonly byte[] _token = Encoding.UTF8.GetBytes(adminToken);

    /// <inheritdoc/>
    public Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ServeStreamsAsync(stream => ServeAsync(connection, stream, shutdown), shutdown);
    }

    private Task ServeAsync(QuicConnection connection, QuicStream stream, CancellationToken shutdown) =>
        RequestStream.ServeAsync(stream, block => DispatchAsync(connection, block, stream, shutdown), error => ToErrorReply(error, shutdown), error => RequestFailed(logger, error), shutdown);

    private async Task DispatchAsync(QuicConnection connection, MetadataBlock block, QuicStream stream, CancellationToken shutdown)
    {
        TopicRequest request = TopicRequest.Parse(block);
        if (!isTrusted(connection.RemoteNodeId) && !CryptographicOperations.FixedTimeEquals(request.Token.Span, _token))
        {
            throw new BlobProtocolException(BlobStatus.Unauthorized, "wrong token: gossip topics need this cluster's admin token");
        }

        switch (request)
        {
            case TopicSubscribeRequest subscribe:
                await StreamEventsAsync(connection, subscribe, stream, shutdown).ConfigureAwait(false);
                break;
            case TopicPublishRequest publish:
                if (publish.Topic == ClusterEventsTopic && !isTrusted(connection.RemoteNodeId))
                {
                    throw new BlobProtocolException(BlobStatus.Forbidden, $"only the silos publish on {TopicsProtocol.ClusterEventsTopic}: its events must be true");
                }

                bool sent = await gossip.PublishAsync(publish.Topic, publish.Name, publish.Content, publish.Scope, shutdown).ConfigureAwait(false);
                await new TopicPublished(Duplicate: !sent).WriteAsync(stream, shutdown).ConfigureAwait(false);
                break;
            case TopicListRequest:
                foreach (TopicReport report in await gossip.ListAsync(shutdown).ConfigureAwait(false))
                {
                    await report.WriteAsync(stream, shutdown).ConfigureAwait(false);
                }

                await SeriesEnd.Instance.WriteAsync(stream, shutdown).ConfigureAwait(false);
                break;
            default:
                throw new BlobProtocolException(BlobStatus.UnknownOperation, $"'{request.Operation}' is not served here");
        }
    }

    /// <summary>The subscription's events until the client hangs up (its connection closes, or a write fails) or the silo stops.</summary>
    private async Task StreamEventsAsync(QuicConnection connection, TopicSubscribeRequest request, QuicStream stream, CancellationToken shutdown)
    {
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _ = connection.Closed.ContinueWith(_ => gone.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        TopicSubscriber subscriber = await gossip.SubscribeAsync(request.Topic, request.Name, gone.Token).ConfigureAwait(false);
        await using (subscriber.ConfigureAwait(false))
        {
            try
            {
                await foreach (TopicEvent @event in subscriber.ReadAllAsync(gone.Token).ConfigureAwait(false))
                {
                    await @event.WriteAsync(stream, gone.Token).ConfigureAwait(false);
                }

                await SeriesEnd.Instance.WriteAsync(stream, gone.Token).ConfigureAwait(false); // the silo left the topic: it is stopping
            }
            catch (OperationCanceledException) when (gone.IsCancellationRequested)
            {
                // The client left or the silo is stopping.
            }
        }
    }

    /// <summary>The one map from a failure to the reply; null when nobody is left to answer.</summary>
    private static ErrorReply? ToErrorReply(Exception error, CancellationToken shutdown) => error switch
    {
        BlobProtocolException refused => ErrorReply.From(refused),
        ObjectDisposedException or OperationCanceledException when shutdown.IsCancellationRequested => new ErrorReply(BlobStatus.Unavailable, "the silo is shutting down; try another silo"),
        OperationCanceledException => new ErrorReply(BlobStatus.BadRequest, "no request arrived in time (the header timeout)"),
        QuicException => null,
        _ => new ErrorReply(BlobStatus.Internal, "the silo failed on this request (a bug); its log has the details"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Topics request failed (a bug): answered 500")]
    private static partial void RequestFailed(ILogger logger, Exception error);
}
