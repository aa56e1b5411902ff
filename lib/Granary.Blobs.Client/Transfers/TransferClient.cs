using System.Runtime.CompilerServices;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transport;

namespace Granary.Blobs.Client.Transfers;

/// <summary>
/// A client of one silo's transfer commands (<c>granary/transfer/1</c>): start a push or pull
/// channel to another cluster, list, show and watch channels, pause, resume, restart or cancel
/// one, send a new voucher, and issue grants. What the CLI's <c>granary transfer</c> and the
/// <c>*-BlobTransfer</c> cmdlets use. Every request carries the cluster's admin token.
/// </summary>
public sealed class TransferClient : IAsyncDisposable
{
    private readonly SiloSession _session;
    private readonly byte[] _token;

    private TransferClient(SiloSession session, SiloTicket silo, string token)
    {
        (_session, Silo) = (session, silo);
        _token = Encoding.UTF8.GetBytes(token);
    }

    /// <summary>The silo this client talks to.</summary>
    public SiloTicket Silo { get; }

    /// <summary>Connects to <paramref name="silo"/>; the token is checked with the first request.</summary>
    /// <exception cref="QuicException">The silo could not be reached or is not that node.</exception>
    public static async Task<TransferClient> ConnectAsync(SiloTicket silo, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(token);
        return new TransferClient(await SiloSession.ConnectAsync(silo, TransferProtocol.Alpn, cancellationToken).ConfigureAwait(false), silo, token);
    }

    /// <summary>
    /// Opens a channel: <paramref name="direction"/> of <paramref name="base"/> with the other
    /// cluster's silos <paramref name="peers"/>, under <paramref name="voucher"/>; with
    /// <paramref name="paths"/>, only those entries of the base collection (an exact path, or a
    /// directory ending in '/'; the collection blob itself always moves).
    /// </summary>
    /// <returns>The channel once the other side answered: Ongoing, Failed (with the validator's sentence), or Requested and disconnected (it retries).</returns>
    /// <exception cref="BlobProtocolException">Refused here (401 wrong token, 404 a push of a blob this silo does not hold, 400 bad input such as a path that selects nothing).</exception>
    /// <exception cref="ArgumentException"><paramref name="paths"/> are not paths within a collection (<see cref="PathSelector.Problem"/>).</exception>
    public Task<ChannelReport> StartAsync(TransferDirection direction, IReadOnlyList<SiloTicket> peers, Blake3Hash @base, Voucher voucher, bool keepPartial = false, IReadOnlyList<string>? paths = null, CancellationToken cancellationToken = default)
    {
        paths ??= [];
        return PathSelector.Problem(paths) is { } problem
            ? throw new ArgumentException(problem)
            : RequestAsync<ChannelReport>(new TransferStartRequest(direction, peers, @base, voucher) { KeepPartial = keepPartial, Paths = paths }, cancellationToken);
    }

    /// <summary>Every channel the cluster keeps, newest first.</summary>
    public async Task<IReadOnlyList<ChannelReport>> ListAsync(CancellationToken cancellationToken = default)
    {
        var reports = new List<ChannelReport>();
        await foreach (ChannelReport report in SeriesAsync(new TransferListRequest(), cancellationToken).ConfigureAwait(false))
        {
            reports.Add(report);
        }

        return reports;
    }

    /// <summary>One channel.</summary>
    /// <exception cref="BlobProtocolException">No such channel (404).</exception>
    public Task<ChannelReport> ShowAsync(ChannelRef channel, CancellationToken cancellationToken = default) =>
        RequestAsync<ChannelReport>(new TransferShowRequest(channel), cancellationToken);

    /// <summary>Pauses, resumes, restarts or cancels a channel from this cluster's side; returns it after.</summary>
    /// <exception cref="BlobProtocolException">No such channel (404), or the command does not apply to it now (400, the sentence says why).</exception>
    public Task<ChannelReport> CommandAsync(ChannelRef channel, TransferCommand command, CancellationToken cancellationToken = default) =>
        RequestAsync<ChannelReport>(new TransferCommandRequest(channel, command), cancellationToken);

    /// <summary>Sends the responder a new voucher (a channel paused at its data limit resumes if it is accepted); returns the channel after the answer.</summary>
    public Task<ChannelReport> SendVoucherAsync(ChannelRef channel, Voucher voucher, CancellationToken cancellationToken = default) =>
        RequestAsync<ChannelReport>(new TransferNewVoucherRequest(channel, voucher), cancellationToken);

    /// <summary>Issues a grant signed with this cluster's grant key, for <paramref name="counterparty"/>.</summary>
    public async Task<Voucher> IssueGrantAsync(NodeId counterparty, TransferDirection direction, IReadOnlyList<Blake3Hash> hashes, long byteQuota, DateTimeOffset expires, CancellationToken cancellationToken = default) =>
        (await RequestAsync<GrantReply>(new GrantIssueRequest(counterparty, direction, hashes, byteQuota, expires), cancellationToken).ConfigureAwait(false)).Voucher;

    /// <summary>
    /// The events of one channel as they happen, starting with its state now, in order, each with
    /// the state at that event; ends once the channel is final. With no channel: every channel's
    /// changes (checked once a second) until cancelled.
    /// </summary>
    public IAsyncEnumerable<ChannelReport> WatchAsync(ChannelRef? channel, CancellationToken cancellationToken = default) =>
        SeriesAsync(new TransferWatchRequest(channel), cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private async Task<T> RequestAsync<T>(TransferAdminRequest request, CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T>
    {
        await using QuicStream stream = await _session.Connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await (request with { Token = _token }).ToBlock().WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        return await BlobReply.ReadAsync<T>(stream, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<ChannelReport> SeriesAsync(TransferAdminRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using QuicStream stream = await _session.Connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await (request with { Token = _token }).ToBlock().WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        await foreach (ChannelReport report in BlobReply.ReadSeriesAsync<ChannelReport>(stream, cancellationToken).ConfigureAwait(false))
        {
            yield return report;
        }
    }
}
