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
        return connection.ServeStreamsAsync(
            stream => RequestStream.ServeAsync(stream, s => ServeAsync(connection.RemoteNodeId, s, s, connection.Closed, shutdown)), shutdown);
    }

    /// <summary>
    /// Serves one request over plain streams (a QUIC stream's two sides, or in-memory streams in
    /// tests): reads its block from <paramref name="input"/>, answers on <paramref name="output"/>.
    /// </summary>
    /// <param name="peer">The node the request comes from (proven by the connection's handshake).</param>
    /// <param name="input">The request: one metadata block.</param>
    /// <param name="output">Where the replies go; the caller ends it.</param>
    /// <param name="clientGone">Completes when the client's connection closes: a subscription's stream of events ends then.</param>
    /// <param name="shutdown">The silo is stopping.</param>
    public Task ServeAsync(NodeId peer, Stream input, Stream output, Task clientGone, CancellationToken shutdown) =>
        RequestStream.ServeAsync(
            input,
            output,
            block => DispatchAsync(peer, block, output, clientGone, shutdown),
            error => ErrorReply.ForFailure(error, shutdown), // the topics protocol throws nothing of its own
            error => RequestFailed(logger, error),
            shutdown);

    private async Task DispatchAsync(NodeId peer, MetadataBlock block, Stream stream, Task clientGone, CancellationToken shutdown)
    {
        TopicRequest request = TopicRequest.Parse(block);
        if (!isTrusted(peer) && !CryptographicOperations.FixedTimeEquals(request.Token.Span, _token))
        {
            throw new BlobProtocolException(BlobStatus.Unauthorized, "wrong token: gossip topics need this cluster's admin token");
        }

        switch (request)
        {
            case TopicSubscribeRequest subscribe:
                await StreamEventsAsync(clientGone, subscribe, stream, shutdown).ConfigureAwait(false);
                break;
            case TopicPublishRequest publish:
                if (publish.Topic == ClusterEventsTopic && !isTrusted(peer))
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
    private async Task StreamEventsAsync(Task clientGone, TopicSubscribeRequest request, Stream stream, CancellationToken shutdown)
    {
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _ = clientGone.ContinueWith(_ => gone.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Topics request failed (a bug): answered 500")]
    private static partial void RequestFailed(ILogger logger, Exception error);
}
