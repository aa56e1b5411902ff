using Granary.Blobs.Protocol;
using Granary.Transfers.Messages;
using Granary.Transport;

namespace Granary.Grains.Transfers;

/// <summary>
/// Sends one transfer message to the other side of a channel and reads its reply: one QUIC stream
/// per message over the silo's pooled connections, the other side's silos tried in order. An
/// answer (even a refusal) ends the attempt; only silence or a broken connection moves on.
/// </summary>
public sealed class TransferPeers(ConnectionPool connections, TransferOptions options)
{
    /// <summary>The transfer protocol's ALPN.</summary>
    public const string Alpn = TransferProtocol.Alpn;

    /// <summary>Sends <paramref name="block"/> to the first of <paramref name="peers"/> that answers and returns its reply.</summary>
    /// <exception cref="BlobProtocolException">The peer refused (its status and sentence). It derives from IOException but is an answer, not silence: it is never taken for "unreachable".</exception>
    /// <exception cref="TransferPeerUnreachableException">None answered within <see cref="TransferOptions.RequestTimeout"/>.</exception>
    public async Task<T> SendAsync<T>(IReadOnlyList<SiloTicket> peers, MetadataBlock block, CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T>
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(block);
        var problems = new List<string>();
        Exception? last = null;
        foreach (SiloTicket peer in peers)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.RequestTimeout);
            try
            {
                using PooledConnection lease = await connections.LeaseAsync(peer.Address, peer.Node, Alpn, deadline.Token).ConfigureAwait(false);
                await using QuicStream stream = await lease.Connection.OpenBidirectionalStreamAsync(deadline.Token).ConfigureAwait(false);
                await block.WriteAsync(stream, deadline.Token).ConfigureAwait(false);
                stream.CompleteWrites();
                return await BlobReply.ReadAsync<T>(stream, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not BlobProtocolException && (error is QuicException or IOException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested)))
            {
                connections.Evict(peer.Node);
                problems.Add($"{peer}: {(error is OperationCanceledException ? $"no answer within {options.RequestTimeout.TotalSeconds:0} s" : error.Message)}");
                last = error;
            }
        }

        throw new TransferPeerUnreachableException($"The other side could not be reached ({string.Join("; ", problems)}).", last!);
    }
}
