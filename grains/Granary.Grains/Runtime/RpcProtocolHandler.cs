using Granary.Blobs.Protocol;
using Granary.Grains.Membership;
using Granary.Transport;

namespace Granary.Grains.Runtime;

/// <summary>
/// The callee side of <c>granary/rpc/1</c> (docs/protocol.md): only silos in the membership
/// table may connect; each stream carries one request block (ping, call, silo, notify) and gets
/// one reply block. While a call runs, the handler keeps reading the request stream: a reset
/// there means the caller gave up, and the call's token is cancelled.
/// </summary>
internal sealed class RpcProtocolHandler(GrainRuntime runtime) : IProtocolHandler
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        if (!runtime.IsStarted || !await IsMemberAsync(connection.RemoteNodeId, shutdown).ConfigureAwait(false))
        {
            connection.Close(BlobStatus.Unauthorized, "not a member of this cluster");
            return;
        }

        await connection.ServeStreamsAsync(stream => ServeAsync(stream, shutdown), shutdown).ConfigureAwait(false);
    }

    private async Task<bool> IsMemberAsync(NodeId node, CancellationToken cancellationToken)
    {
        if (runtime.View.Silos.Any(s => s.Node == node && s.Status != SiloStatus.Dead))
        {
            return true;
        }

        // A silo that joined since our last read: read once more before refusing.
        MembershipSnapshot fresh = await runtime.Membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return fresh.Silos.Any(s => s.Node == node && s.Status != SiloStatus.Dead);
    }

    private async Task ServeAsync(QuicStream stream, CancellationToken shutdown)
    {
        await using (stream.ConfigureAwait(false))
        {
            using var call = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            BlobMessage reply;
            try
            {
                BlobMessage? request;
                using (var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
                {
                    headerTimeout.CancelAfter(RequestTimeout);
                    request = await BlobMessage.ReadAsync(stream, headerTimeout.Token).ConfigureAwait(false);
                }

                if (request is null)
                {
                    return;
                }

                _ = WatchForCancelAsync(stream, call);
                reply = await DispatchAsync(request, call.Token).ConfigureAwait(false);
            }
            catch (BlobProtocolException error)
            {
                reply = BlobMessage.Reply(error.Status, error.Message);
            }
            catch (NotOwnerException error)
            {
                reply = BlobMessage.Reply(RpcStatus.NotOwner, error.Message);
            }
            catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
            {
                return;
            }
            catch (QuicException)
            {
                return;
            }
#pragma warning disable CA1031 // The callee boundary: any grain failure becomes an error reply, not a dropped stream.
            catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
            {
                reply = BlobMessage.Reply(BlobStatus.Internal, $"{error.GetType().Name}: {error.Message}");
            }

            try
            {
                await reply.WriteAsync(stream, shutdown).ConfigureAwait(false);
                stream.CompleteWrites();
            }
            catch (QuicException)
            {
                // The caller is gone.
            }
        }
    }

    private async Task<BlobMessage> DispatchAsync(BlobMessage request, CancellationToken cancellationToken)
    {
        string op = request.Text("op") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the request has no 'op'");
        switch (op)
        {
            case "ping":
                return BlobMessage.Reply(BlobStatus.Ok, null, ("generation", runtime.Self.Generation));
            case "call":
            {
                var grain = new GrainId(Required(request.Text("type"), "type"), Required(request.Text("key"), "key"));
                if ((request.Number("view") ?? 0) > runtime.View.Version)
                {
                    // The caller saw a newer view: catch up before judging ownership.
                    await runtime.Membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
                }

                BlobMessage result = await runtime.InvokeLocalAsync(
                    grain, Required(request.Text("method"), "method"), request.Nested("args") ?? new BlobMessage([]), cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok, null, ("result", result.Fields));
            }

            case "silo":
            {
                BlobMessage result = await runtime.LocalService(Required(request.Text("service"), "service"))
                    .InvokeAsync(Required(request.Text("method"), "method"), request.Nested("args") ?? new BlobMessage([]), cancellationToken).ConfigureAwait(false);
                return BlobMessage.Reply(BlobStatus.Ok, null, ("result", result.Fields));
            }

            case "notify":
                return await runtime.DeliverAsync(request.Number("observer") ?? 0, request.Nested("event") ?? new BlobMessage([]), cancellationToken).ConfigureAwait(false)
                    ? BlobMessage.Reply(BlobStatus.Ok)
                    : BlobMessage.Reply(BlobStatus.NotFound, "no such observer on this silo");
            default:
                return BlobMessage.Reply(BlobStatus.UnknownOperation, $"unknown op '{op}': silos know ping, call, silo, notify");
        }
    }

    private static string Required(string? value, string field) =>
        value ?? throw new BlobProtocolException(BlobStatus.BadRequest, $"the request needs '{field}'");

    /// <summary>The request side stays open during the call; a reset on it cancels the call.</summary>
    private static async Task WatchForCancelAsync(QuicStream stream, CancellationTokenSource call)
    {
        byte[] one = new byte[1];
        try
        {
            while (await stream.ReadAsync(one, call.Token).ConfigureAwait(false) > 0)
            {
                // Nothing more is expected after the request; ignore stray bytes.
            }
        }
        catch (QuicException)
        {
            await call.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The call ended.
        }
        catch (ObjectDisposedException)
        {
            // The stream was disposed after the reply.
        }
    }
}
