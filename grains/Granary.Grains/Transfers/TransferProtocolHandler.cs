using System.Net;
using System.Security.Cryptography;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Transfers;

/// <summary>
/// <c>granary/transfer/1</c> on QUIC: one request per bidirectional stream — a peer's channel
/// message (open, restart, voucher, control; authorized by the channel's voucher and the peer's
/// proven node id) or this cluster's own command (start, list, show, watch, command, new-voucher,
/// issue-grant; authorized by the admin token, or by being a cluster member or trusted node).
/// The logic is in <see cref="TransferService"/>; this loop parses, authorizes, and maps every
/// failure to one error reply.
/// </summary>
public sealed partial class TransferProtocolHandler(TransferService service, string adminToken, Func<NodeId, bool> isTrusted, ILogger<TransferProtocolHandler> logger) : IProtocolHandler
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(adminToken);

    /// <inheritdoc/>
    public Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.ServeStreamsAsync(
            stream => RequestStream.ServeAsync(stream, s => ServeAsync(connection.RemoteNodeId, connection.RemoteEndPoint, s, s, shutdown)), shutdown);
    }

    /// <summary>
    /// Serves one request over plain streams (a QUIC stream's two sides, or in-memory streams in
    /// tests): reads its block from <paramref name="input"/>, answers on <paramref name="output"/>.
    /// </summary>
    /// <param name="peer">The node the request comes from (proven by the connection's handshake).</param>
    /// <param name="remote">The peer's address as this silo sees it (a channel's other side is dialled back there).</param>
    /// <param name="input">The request: one metadata block.</param>
    /// <param name="output">Where the replies go; the caller ends it.</param>
    /// <param name="shutdown">The silo is stopping.</param>
    public Task ServeAsync(NodeId peer, IPEndPoint remote, Stream input, Stream output, CancellationToken shutdown) =>
        RequestStream.ServeAsync(input, output, block => DispatchAsync(peer, remote, block, output, shutdown), error => ToErrorReply(error, shutdown), error => RequestFailed(logger, error), shutdown);

    private async Task DispatchAsync(NodeId peer, IPEndPoint remote, MetadataBlock block, Stream stream, CancellationToken cancellationToken)
    {
        if (block.Text("op") is { } op && TransferAdminRequest.Ops.Contains(op))
        {
            TransferAdminRequest request = TransferAdminRequest.Parse(block);
            if (!isTrusted(peer) && !CryptographicOperations.FixedTimeEquals(request.Token.Span, _token))
            {
                throw new BlobProtocolException(BlobStatus.Unauthorized, "wrong token: transfer commands need this cluster's admin token");
            }

            await AdminAsync(request, stream, cancellationToken).ConfigureAwait(false);
            return;
        }

        BlobReply reply = TransferMessage.Parse(block) switch
        {
            TransferOpen open => new VoucherResultReply(await service.OnOpenAsync(peer, remote, open, cancellationToken).ConfigureAwait(false)),
            TransferVoucherMessage voucher => new VoucherResultReply(await service.OnNewVoucherAsync(peer, voucher, cancellationToken).ConfigureAwait(false)),
            TransferControl control => await ControlAsync(peer, control, cancellationToken).ConfigureAwait(false),
            TransferVoucherResultMessage => throw new TransferProtocolException($"'{TransferVoucherResultMessage.Op}' is sent only as a reply."),
            var other => throw new TransferProtocolException($"'{other.GetType().Name}' is not served here."),
        };
        await reply.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BlobReply> ControlAsync(NodeId peer, TransferControl control, CancellationToken cancellationToken)
    {
        await service.OnControlAsync(peer, control, cancellationToken).ConfigureAwait(false);
        return OkReply.Instance;
    }

    private async Task AdminAsync(TransferAdminRequest request, Stream stream, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case TransferStartRequest start:
                await (await service.StartAsync(start, cancellationToken).ConfigureAwait(false)).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferListRequest:
                foreach (ChannelReport report in await service.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    await report.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                }

                await SeriesEnd.Instance.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferShowRequest show:
                await (await service.ReportAsync(show.Channel, cancellationToken).ConfigureAwait(false)).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferWatchRequest { Channel: { } channel }:
                await foreach (ChannelReport report in service.WatchAsync(channel, cancellationToken).ConfigureAwait(false))
                {
                    await report.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                }

                await SeriesEnd.Instance.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferWatchRequest:
                await WatchAllAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferCommandRequest command:
                await (await service.CommandAsync(command.Channel, command.Command, cancellationToken).ConfigureAwait(false)).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case TransferNewVoucherRequest voucher:
                await (await service.NewVoucherAsync(voucher.Channel, voucher.Voucher, cancellationToken).ConfigureAwait(false)).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            case GrantIssueRequest grant:
                await new GrantReply(service.IssueGrant(grant)).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new TransferProtocolException($"'{request.Operation}' is not served here.");
        }
    }

    /// <summary>Every channel's changes, checked once a second, until the client leaves: each channel's report whenever its status or byte counts moved.</summary>
    private async Task WatchAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        var last = new Dictionary<string, (ChannelStatus, long, long)>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), service.Time);
        do
        {
            foreach (ChannelReport report in await service.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                string key = report.Ref.ToString();
                var now = (report.State.Status, report.State.Sent, report.State.Received);
                if (!last.TryGetValue(key, out var before) || before != now)
                {
                    last[key] = now;
                    await report.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The one map from a failure to the reply; null when nobody is left to answer.</summary>
    private static ErrorReply? ToErrorReply(Exception error, CancellationToken shutdown) => error switch
    {
        TransferProtocolException bad => new ErrorReply(BlobStatus.BadRequest, bad.Message.TrimEnd('.')),
        TransferPeerUnreachableException away => new ErrorReply(BlobStatus.Unavailable, away.Message.TrimEnd('.')),
        BlobGrainException refused => ErrorReply.From(refused.ToProtocolException()),
        _ => ErrorReply.ForFailure(error, shutdown),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Transfer request failed (a bug): answered 500")]
    private static partial void RequestFailed(ILogger logger, Exception error);
}
