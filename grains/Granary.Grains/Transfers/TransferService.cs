using System.Collections.Concurrent;
using System.Security.Cryptography;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Transfers;

/// <summary>
/// A silo's part in transfer channels: the IO around the pure protocol (<see cref="ChannelResponder"/>,
/// <see cref="ChannelProtocol"/>) and the channels' grains. It answers the other side's messages
/// (open, restart, new voucher, control), runs this cluster's commands (start, pause, …), lets the
/// receiver's piece requests through the blobs protocol (<see cref="IChannelDataGate"/>), and drives
/// the channels this silo receives for (<see cref="ChannelDriver"/>). Data always flows receiver-driven,
/// as go-data-transfer's graphsync transport does: the receiver asks the sender for verified pieces.
/// </summary>
public sealed partial class TransferService : IChannelDataGate, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly BlobStore _store;
    private readonly ClusterView _view;
    private readonly ClusterBlobs _cluster;
    private readonly TransferPeers _peers;
    private readonly VoucherRegistry _vouchers;
    private readonly ECDsa _grantKey;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ChannelDriver> _drivers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Blake3Hash, BlobCollection?> _collections = new();

    // The sender asks for a channel's members at every piece: selecting over a large collection each time would be the hot path's cost.
    private readonly ConcurrentDictionary<(Blake3Hash Base, string Paths), IReadOnlyList<Blake3Hash>> _selections = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Creates the service; <paramref name="vouchers"/> holds the validators of this cluster (the grant validator trusts <paramref name="grantKey"/>).</summary>
    public TransferService(
        IGrainFactory grains,
        BlobStore store,
        ConnectionPool connections,
        ClusterView view,
        ClusterBlobs cluster,
        TransferPeers peers,
        TransferOptions options,
        VoucherRegistry vouchers,
        ECDsa grantKey,
        ILogger<TransferService> logger,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (_grains, _store, Connections, _view, _cluster, _peers, Options, _vouchers, _grantKey, _logger, _time) = (grains, store, connections, view, cluster, peers, options, vouchers, grantKey, logger, time);
    }

    /// <summary>The options in force.</summary>
    public TransferOptions Options { get; }

    /// <summary>This silo's node id.</summary>
    public NodeId Self => _view.Self.Node;

    internal IGrainFactory Grains => _grains;

    internal BlobStore Store => _store;

    internal ConnectionPool Connections { get; }

    internal ClusterBlobs Cluster => _cluster;

    internal TransferPeers Peers => _peers;

    internal ILogger Logger => _logger;

    internal TimeProvider Time => _time;

    internal CancellationToken Stopping => _stopping.Token;

    // ---- this cluster's commands -------------------------------------------------------------

    /// <summary>Opens a channel as its initiator and returns it once the responder answered (or could not be reached: then Disconnected, and the monitor retries).</summary>
    /// <exception cref="BlobProtocolException">Refused before anything was sent: a push of a blob this silo does not hold (404).</exception>
    public async Task<ChannelReport> StartAsync(TransferStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        long size = 0;
        if (request.Direction == TransferDirection.Push)
        {
            size = await LocalSizeAsync(request.Base, request.Paths, cancellationToken).ConfigureAwait(false)
                ?? throw new BlobProtocolException(BlobStatus.NotFound, $"this silo does not hold blob {request.Base}: start a push on a silo that holds it (see 'granary locate')");
        }

        var id = new ChannelId(Self, request.Peers[0].Node, (ulong)Random.Shared.NextInt64(1, long.MaxValue));
        DateTimeOffset now = _time.GetUtcNow();
        ChannelState initial = ChannelState.Open(id, request.Direction, request.Base, request.Voucher, now) with { Paths = request.Paths };
        var terms = new ChannelTerms { Size = size, Peers = request.Peers, KeepPartial = request.KeepPartial };
        ITransferChannelGrain grain = _grains.TransferChannel(ChannelSide.Initiator, id);
        await grain.OpenAsync(initial, terms).ConfigureAwait(false);
        await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).AddAsync(TransferChannelKeys.Key(ChannelSide.Initiator, id)).ConfigureAwait(false);
        await grain.ApplyAsync(new ChannelInput(ChannelEvent.Open, now)).ConfigureAwait(false);
        var open = new TransferOpen(id.TransferId, request.Direction, request.Base, size, request.Voucher) { Paths = request.Paths };
        await AskResponderAsync(grain, terms, open.ToBlock(), cancellationToken).ConfigureAwait(false);
        Opened(_logger, id.TransferId, request.Direction, request.Base, request.Peers[0]);
        return await ReportAsync(new ChannelRef(id.TransferId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One channel's report.</summary>
    /// <exception cref="BlobProtocolException">No such channel here (404).</exception>
    public async Task<ChannelReport> ReportAsync(ChannelRef channel, CancellationToken cancellationToken)
    {
        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        ChannelState? found = await grain.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (found is null && channel.Initiator is null && await ResponderSideAsync(channel.TransferId, cancellationToken).ConfigureAwait(false) is { } theirs)
        {
            // A bare id of a channel another node opened here (as 'list' shows it): unambiguous, so taken.
            return await ReportAsync(theirs, cancellationToken).ConfigureAwait(false);
        }

        ChannelState state = found
            ?? throw new BlobProtocolException(BlobStatus.NotFound, $"this cluster keeps no channel {channel} ('granary transfer list' shows the ones it keeps)");
        ChannelTerms terms = await grain.GetTermsAsync().ConfigureAwait(false) ?? new ChannelTerms();
        return new ChannelReport(channel.Side, state, terms);
    }

    /// <summary>The one responder's side with transfer id <paramref name="transferId"/> kept here, if exactly one.</summary>
    private async Task<ChannelRef?> ResponderSideAsync(ulong transferId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> keys = await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).ListAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        string suffix = $"/{transferId}";
        List<string> matches = [.. keys.Where(k => k.StartsWith("responder/", StringComparison.Ordinal) && k.EndsWith(suffix, StringComparison.Ordinal))];
        return matches.Count == 1 ? TransferChannelKeys.Parse(matches[0]) : null;
    }

    /// <summary>Every channel this cluster keeps, newest first.</summary>
    public async Task<IReadOnlyList<ChannelReport>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> keys = await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).ListAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var reports = new List<ChannelReport>();
        foreach (string key in keys.Reverse())
        {
            reports.Add(await ReportAsync(TransferChannelKeys.Parse(key), cancellationToken).ConfigureAwait(false));
        }

        return reports;
    }

    /// <summary>Pauses, resumes, restarts or cancels a channel from this side and tells the other side.</summary>
    public async Task<ChannelReport> CommandAsync(ChannelRef channel, TransferCommand command, CancellationToken cancellationToken)
    {
        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        channel = report.Ref; // a bare id may have named the responder's side
        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        bool initiator = channel.Side == ChannelSide.Initiator;
        DateTimeOffset now = _time.GetUtcNow();
        if (report.State.IsFinal)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"channel {channel} is {report.State.Status}: it takes no {command.ToString().ToLowerInvariant()} any more");
        }

        switch (command)
        {
            case TransferCommand.Pause:
            case TransferCommand.Resume:
                ChannelEvent own = (command, initiator) switch
                {
                    (TransferCommand.Pause, true) => ChannelEvent.PauseInitiator,
                    (TransferCommand.Pause, false) => ChannelEvent.PauseResponder,
                    (_, true) => ChannelEvent.ResumeInitiator,
                    _ => ChannelEvent.ResumeResponder,
                };
                await ApplyOrRefuseAsync(grain, new ChannelInput(own, now)).ConfigureAwait(false);
                await TellAsync(report, command == TransferCommand.Pause ? TransferControlKind.Pause : TransferControlKind.Resume, null, cancellationToken).ConfigureAwait(false);
                break;
            case TransferCommand.Cancel:
                await CancelAsync(channel, grain, "Cancelled by this side's operator.", cancellationToken).ConfigureAwait(false);
                await TellAsync(report, TransferControlKind.Cancel, "Cancelled by the other side's operator.", cancellationToken).ConfigureAwait(false);
                break;
            case TransferCommand.Restart:
                await RestartAsync(channel, cancellationToken).ConfigureAwait(false);
                break;
        }

        return await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the responder a new voucher for a channel this cluster opened; returns the channel after its answer.</summary>
    public async Task<ChannelReport> NewVoucherAsync(ChannelRef channel, Voucher voucher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        if (channel.Side != ChannelSide.Initiator)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, "only the initiator sends new vouchers; this channel was opened by another node");
        }

        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.NewVoucher, _time.GetUtcNow()) { Voucher = voucher }).ConfigureAwait(false);
        VoucherResultReply reply = await _peers.SendAsync<VoucherResultReply>(report.Terms.Peers, new TransferVoucherMessage(channel.TransferId, voucher).ToBlock(), cancellationToken).ConfigureAwait(false);
        TransferVoucherResultMessage answer = reply.Message;
        await grain.OnVoucherResultAsync(answer.Result, answer.DataLimit, answer.Paused).ConfigureAwait(false);
        return await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a grant with this cluster's grant key.</summary>
    public Voucher IssueGrant(GrantIssueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Expires <= _time.GetUtcNow())
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"the grant would expire at {request.Expires:u}, which has passed");
        }

        Grant grant = new Grant
        {
            Issuer = Grant.KeyId(_grantKey),
            Counterparty = request.Counterparty,
            Direction = request.Direction,
            Hashes = request.Hashes,
            ByteQuota = request.ByteQuota,
            Expires = request.Expires,
            Nonce = Random.Shared.NextInt64(),
        }.SignWith(_grantKey);
        return grant.ToVoucher();
    }

    /// <summary>The events of one channel as they happen, starting with its state now; ends once it is final.</summary>
    public async IAsyncEnumerable<ChannelReport> WatchAsync(ChannelRef channel, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChannelReport now = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        ITransferChannelGrain grain = _grains.TransferChannel(now.Ref);
        IReadOnlyList<ChannelHistoryEntry> history = await grain.WatchAsync(0, TimeSpan.Zero).ConfigureAwait(false);
        long seen = history.Count > 0 ? history[^1].Sequence : 0;
        yield return now with { Sequence = seen };
        if (now.State.IsFinal)
        {
            yield break;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<ChannelHistoryEntry> events = await grain.WatchAsync(seen, TimeSpan.FromSeconds(15)).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (ChannelHistoryEntry entry in events)
            {
                seen = entry.Sequence;
                yield return now with { State = entry.State, Sequence = entry.Sequence, Event = entry.Event };
                if (entry.State.IsFinal)
                {
                    yield break;
                }
            }
        }
    }

    // ---- the other side's messages -----------------------------------------------------------

    /// <summary>Answers an open or a restart from the initiator <paramref name="peer"/> (reachable at <paramref name="peerAddress"/>).</summary>
    public async Task<TransferVoucherResultMessage> OnOpenAsync(NodeId peer, System.Net.IPEndPoint peerAddress, TransferOpen open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var channel = new ChannelRef(open.TransferId, peer);
        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        DateTimeOffset now = _time.GetUtcNow();
        if (open.IsRestart)
        {
            ChannelState state = await grain.GetAsync().ConfigureAwait(false)
                ?? throw new BlobProtocolException(BlobStatus.NotFound, $"no channel {open.TransferId} from {peer} is kept here to restart");
            if (state.Base != open.Base || state.Direction != open.Direction || !state.Paths.SequenceEqual(open.Paths, StringComparer.Ordinal))
            {
                throw new BlobProtocolException(BlobStatus.BadRequest, $"the restart names other terms than channel {open.TransferId} (base, paths or direction)");
            }

            if (state.IsFinal)
            {
                throw new BlobProtocolException(BlobStatus.Gone, $"channel {open.TransferId} is {state.Status} here: it cannot restart");
            }

            ChannelTerms restartTerms = await grain.GetTermsAsync().ConfigureAwait(false) ?? new ChannelTerms();
            VoucherValidation validation = _vouchers.Validate(new ChannelRequest(state.Id, peer, state.Direction, state.Base, restartTerms.Size, open.Voucher, now), restart: true);
            if (!validation.Accepted)
            {
                await grain.OnNewVoucherAsync(open.Voucher, validation.Result, validation.DataLimit, validation.ForcePause).ConfigureAwait(false);
                return new TransferVoucherResultMessage(open.TransferId, validation.Result);
            }

            ChannelStep step = await grain.ApplyAsync(new ChannelInput(ChannelEvent.Restart, now)).ConfigureAwait(false);
            ChannelState after = step.State;
            EnsureDriving(channel, after);
            return new TransferVoucherResultMessage(open.TransferId, validation.Result)
            {
                DataLimit = after.DataLimit,
                Paused = after.Status is ChannelStatus.ResponderPaused or ChannelStatus.BothPaused,
            };
        }

        long size = open.Size;
        if (open.Direction == TransferDirection.Pull)
        {
            long? held;
            string? unselected = null;
            try
            {
                held = await LocalSizeAsync(open.Base, open.Paths, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobProtocolException error) when (error.Status == BlobStatus.BadRequest)
            {
                (held, unselected) = (null, error.Message);
            }

            if (held is null)
            {
                // Whether a blob is here is told only to a peer whose voucher is good.
                ResponderDecision unheld = ChannelResponder.Decide(open, peer, Self, 0, _vouchers, now);
                if (!unheld.Reply.Result.Accepted)
                {
                    return unheld.Reply;
                }

                throw unselected is not null ? new BlobProtocolException(BlobStatus.BadRequest, unselected)
                    : new BlobProtocolException(BlobStatus.NotFound, $"silo {Self} does not hold blob {open.Base}: open the pull with a silo that holds it");
            }

            size = held.Value;
        }

        ResponderDecision decision = ChannelResponder.Decide(open, peer, Self, size, _vouchers, now);
        var terms = new ChannelTerms { Size = size, Peers = [new SiloTicket(peer, peerAddress)] };
        ChannelState stored = await grain.OpenAsync(decision.State, terms).ConfigureAwait(false);
        await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).AddAsync(TransferChannelKeys.Key(channel)).ConfigureAwait(false);
        if (!decision.Reply.Result.Accepted)
        {
            Refused(_logger, open.TransferId, peer, decision.Reply.Result.Message);
        }

        EnsureDriving(channel, stored);
        return decision.Reply;
    }

    /// <summary>Answers a new voucher from the initiator <paramref name="peer"/> (go-data-transfer's revalidation).</summary>
    public async Task<TransferVoucherResultMessage> OnNewVoucherAsync(NodeId peer, TransferVoucherMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var channel = new ChannelRef(message.TransferId, peer);
        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        ChannelState state = report.State;
        // A new voucher is checked in full (expiry included), as a new channel's would be.
        VoucherValidation validation = _vouchers.Validate(new ChannelRequest(state.Id, peer, state.Direction, state.Base, report.Terms.Size, message.Voucher, _time.GetUtcNow()), restart: false);
        ChannelState after = await _grains.TransferChannel(channel).OnNewVoucherAsync(message.Voucher, validation.Result, validation.DataLimit, validation.ForcePause).ConfigureAwait(false);
        if (after.IsFinal)
        {
            await CleanUpReceivedAsync(report with { State = after }).ConfigureAwait(false);
        }

        return new TransferVoucherResultMessage(message.TransferId, validation.Result)
        {
            DataLimit = validation.DataLimit,
            Paused = after.Status is ChannelStatus.ResponderPaused or ChannelStatus.BothPaused,
        };
    }

    /// <summary>Applies a control message from <paramref name="peer"/> to this side of its channel.</summary>
    public async Task OnControlAsync(NodeId peer, TransferControl message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ChannelRef channel = message.FromInitiator ? new ChannelRef(message.TransferId, peer) : new ChannelRef(message.TransferId);
        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        if (!message.FromInitiator && report.State.Id.Responder != peer && !report.Terms.Peers.Any(p => p.Node == peer))
        {
            throw new BlobProtocolException(BlobStatus.NotFound, $"this cluster keeps no channel {message.TransferId} with {peer}");
        }

        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        DateTimeOffset now = _time.GetUtcNow();
        ChannelEvent happened = ChannelProtocol.EventOf(message, message.FromInitiator);
        if (report.State.IsFinal)
        {
            // A repeated finish, complete or cancel after the end: nothing left to do.
            return;
        }

        switch (happened)
        {
            case ChannelEvent.Cancel:
                await CancelAsync(channel, grain, message.Message ?? "Cancelled by the other side.", cancellationToken).ConfigureAwait(false);
                break;
            case ChannelEvent.FinishTransfer:
                // The receiver of a pull has every byte verified: the responder (sender) completes.
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.FinishTransfer, now)).ConfigureAwait(false);
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.ResponderCompletes, now)).ConfigureAwait(false);
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
                break;
            case ChannelEvent.ResponderCompletes:
                // The receiver of a push has every byte verified and durable: the initiator (sender) completes.
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.ResponderCompletes, now)).ConfigureAwait(false);
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.FinishTransfer, now)).ConfigureAwait(false);
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
                break;
            default:
                await ApplyOrRefuseAsync(grain, new ChannelInput(happened, now) { Message = message.Message }).ConfigureAwait(false);
                break;
        }
    }

    // ---- the data gate: the receiver's piece requests ------------------------------------------

    /// <inheritdoc/>
    public async Task AuthorizeAsync(NodeId peer, ulong transferId, Blake3Hash hash, ChunkRanges ranges, CancellationToken cancellationToken)
    {
        (ChannelRef channel, ChannelReport report) = await SendingSideAsync(peer, transferId, cancellationToken).ConfigureAwait(false);
        ChannelState state = report.State;
        if (state.IsFinal)
        {
            throw new BlobProtocolException(BlobStatus.Gone, $"channel {channel} is {state.Status} on the sending side ({state.Message.TrimEnd('.')}): it sends nothing more");
        }

        if (state.Status != ChannelStatus.Ongoing)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, $"channel {channel} is {state.Status} on the sending side: ask again once it runs");
        }

        if (state.DataLimit is { } limit && state.Sent >= limit)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, $"channel {channel} reached its data limit of {limit:N0} bytes: it waits for a new voucher");
        }

        if (hash != state.Base && !(await MembersAsync(state.Base, state.Paths, cancellationToken).ConfigureAwait(false)).Contains(hash))
        {
            throw new BlobProtocolException(BlobStatus.Forbidden, $"blob {hash} is not part of channel {channel} (base {state.Base})");
        }

        BlobInfo? held = hash == state.Base && state.DataLimit is null ? null : await _store.RecordAsync(hash, cancellationToken).ConfigureAwait(false);
        if (hash != state.Base && held is null)
        {
            // A member placed on other silos of this cluster (each file lives where its own hash puts
            // it): fetched here, verified, for a receiver the channel has authorized. The copy is an
            // unregistered extra that reconciliation drops later; a piece asked after that fetches it again.
            held = await _cluster.FetchHereAsync(hash, cancellationToken).ConfigureAwait(false)
                ?? throw new BlobProtocolException(BlobStatus.NotFound, $"blob {hash} of channel {channel} is neither on this silo nor anywhere in its cluster");
        }

        if (state.DataLimit is { } cap && held is { } blob)
        {
            // A piece may reach past the limit by at most one block (pieces are whole blocks).
            long asked = ranges.RoundOut((ulong)BaoTree.ChunksPerBlock).ByteCount(blob.Size);
            long room = Math.Max(cap - state.Sent, BaoTree.BlockSize);
            if (asked > room)
            {
                throw new BlobProtocolException(BlobStatus.BadRequest, $"the piece asks for {asked:N0} bytes but channel {channel} may send only {room:N0} more before its data limit");
            }
        }
    }

    /// <inheritdoc/>
    public async Task SentAsync(NodeId peer, ulong transferId, long bytes, CancellationToken cancellationToken)
    {
        (ChannelRef channel, _) = await SendingSideAsync(peer, transferId, cancellationToken).ConfigureAwait(false);
        await _grains.TransferChannel(channel).OnDataAsync(ChannelEvent.DataSent, bytes).ConfigureAwait(false);
    }

    // ---- start-up and drivers ------------------------------------------------------------------

    /// <summary>
    /// At start: resumes every channel kept in the cluster in which this silo's node takes part and
    /// that is not final — drives the ones it receives for, and restarts the ones it initiated.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> keys = await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).ListAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (string key in keys)
        {
            ChannelRef channel = TransferChannelKeys.Parse(key);
            ChannelState? state = await _grains.TransferChannel(channel).GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            bool mine = state is not null && (channel.Side == ChannelSide.Initiator ? state.Id.Initiator : state.Id.Responder) == Self;
            if (state is null || state.IsFinal || !mine)
            {
                continue;
            }

            try
            {
                await RestartAsync(channel, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is BlobProtocolException or TransferPeerUnreachableException or TransferProtocolException)
            {
                ResumeFailed(_logger, channel, error.Message);
                EnsureDriving(channel, state);
            }
        }
    }

    /// <summary>
    /// The sending side's half of the monitor, until <paramref name="stop"/>: every tenth of
    /// <see cref="TransferOptions.InactivityTimeout"/>, each running channel this node sends on that
    /// saw no event for that long (no piece asked for, no completion) fails, and the other side is
    /// told — a receiver that vanished for good does not hold a channel open for ever.
    /// </summary>
    public async Task MonitorSendersAsync(CancellationToken stop)
    {
        TimeSpan period = Options.InactivityTimeout / 10;
        using var timer = new PeriodicTimer(period < TimeSpan.FromMinutes(1) ? period : TimeSpan.FromMinutes(1), _time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            IReadOnlyList<string> keys = await _grains.GetGrain<ITransferIndexGrain>(ITransferIndexGrain.Key).ListAsync().WaitAsync(stop).ConfigureAwait(false);
            foreach (string key in keys)
            {
                ChannelRef channel = TransferChannelKeys.Parse(key);
                ChannelState? state = await _grains.TransferChannel(channel).GetAsync().WaitAsync(stop).ConfigureAwait(false);
                bool sends = state is not null && (channel.Side == ChannelSide.Initiator) == (state.Direction == TransferDirection.Push);
                bool mine = state is not null && (channel.Side == ChannelSide.Initiator ? state.Id.Initiator : state.Id.Responder) == Self;
                if (state is not { Status: ChannelStatus.Ongoing } || !sends || !mine || _time.GetUtcNow() - state.Updated < Options.InactivityTimeout)
                {
                    continue;
                }

                string reason = $"The receiver asked for no data and did not complete for {Options.InactivityTimeout.TotalSeconds:0} s.";
                ITransferChannelGrain grain = _grains.TransferChannel(channel);
                DateTimeOffset now = _time.GetUtcNow();
                if ((await grain.ApplyAsync(new ChannelInput(ChannelEvent.Error, now) { Message = reason }).ConfigureAwait(false)).Applied)
                {
                    await grain.ApplyAsync(new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
                    Failed(_logger, channel, reason);
                    await TellAsync(await ReportAsync(channel, stop).ConfigureAwait(false), TransferControlKind.Cancel, reason, stop).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Starts the receiver's driver of <paramref name="channel"/> if this side receives and none runs.</summary>
    internal void EnsureDriving(ChannelRef channel, ChannelState state)
    {
        bool receives = (channel.Side == ChannelSide.Initiator) == (state.Direction == TransferDirection.Pull);
        if (!receives || state.IsFinal || state.Status == ChannelStatus.Requested || _stopping.IsCancellationRequested)
        {
            return;
        }

        string key = TransferChannelKeys.Key(channel);
        var driver = new ChannelDriver(this, channel, state.Base);
        if (_drivers.TryAdd(key, driver))
        {
            driver.Start(() => _drivers.TryRemove(new KeyValuePair<string, ChannelDriver>(key, driver)));
        }
    }

    /// <summary>Restarts a channel from this side: the initiator asks the responder again; either side's receiver drives again.</summary>
    internal async Task RestartAsync(ChannelRef channel, CancellationToken cancellationToken)
    {
        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        ITransferChannelGrain grain = _grains.TransferChannel(channel);
        if (report.State.IsFinal)
        {
            return;
        }

        if (channel.Side == ChannelSide.Initiator)
        {
            ChannelState state = report.State;
            var open = new TransferOpen(channel.TransferId, state.Direction, state.Base, report.Terms.Size, state.Vouchers[^1]) { IsRestart = state.Status != ChannelStatus.Requested, Paths = state.Paths };
            if (state.Status != ChannelStatus.Requested)
            {
                await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.Restart, _time.GetUtcNow())).ConfigureAwait(false);
            }

            await AskResponderAsync(grain, report.Terms, open.ToBlock(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ApplyOrRefuseAsync(grain, new ChannelInput(ChannelEvent.Restart, _time.GetUtcNow())).ConfigureAwait(false);
        }

        ChannelState after = await grain.GetAsync().ConfigureAwait(false) ?? report.State;
        EnsureDriving(channel, after);
    }

    /// <summary>
    /// The blobs a channel moves after its base: a collection's members that <paramref name="paths"/>
    /// select (all of them when empty; none for a plain blob). Known once the base is held here.
    /// </summary>
    /// <exception cref="BlobProtocolException">A path selects nothing, or paths name a base that is not a collection (400).</exception>
    internal async Task<IReadOnlyList<Blake3Hash>> MembersAsync(Blake3Hash @base, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (!_collections.TryGetValue(@base, out BlobCollection? collection))
        {
            if (await _store.RecordAsync(@base, cancellationToken).ConfigureAwait(false) is not { } info || !await _store.HasAsync(@base, cancellationToken).ConfigureAwait(false))
            {
                return []; // not here (yet): nothing known about its members
            }

            collection = await ReadCollectionAsync(@base, info.Size, cancellationToken).ConfigureAwait(false);
            _collections[@base] = collection;
        }

        if (collection is null)
        {
            return paths.Count == 0 ? [] : throw new BlobProtocolException(BlobStatus.BadRequest, $"blob {@base} is not a collection, so the paths {string.Join(", ", paths.Select(p => $"'{RemoteText.Printable(p)}'"))} select nothing in it");
        }

        try
        {
            return _selections.GetOrAdd((@base, string.Join('\0', paths)), _ => PathSelector.Select(collection, paths));
        }
        catch (ArgumentException error)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"In collection {@base}: {error.Message}");
        }
    }

    /// <summary>The collection a stored blob holds, or null if it is not one.</summary>
    private async Task<BlobCollection?> ReadCollectionAsync(Blake3Hash hash, long size, CancellationToken cancellationToken)
    {
        if (size > BlobCollection.MaxSize)
        {
            return null; // not worth opening (BlobCollection.CanBe says so too)
        }

        using BlobReader reader = await _store.OpenReaderAsync(hash, cancellationToken).ConfigureAwait(false);
        byte[] head = new byte[Math.Min(size, 64)];
        await reader.Data.ReadExactlyAtAsync(0, head, "collection", cancellationToken).ConfigureAwait(false);
        if (!BlobCollection.CanBe(size, head, out _))
        {
            return null;
        }

        byte[] bytes = new byte[size];
        await reader.Data.ReadExactlyAtAsync(0, bytes, "collection", cancellationToken).ConfigureAwait(false);
        return BlobCollection.TryDecode(bytes, out BlobCollection? collection, out _) ? collection : null;
    }

    /// <summary>Cancels this side: Cancelling, the receiver's partial data dropped unless kept, then Cancelled.</summary>
    internal async Task CancelAsync(ChannelRef channel, ITransferChannelGrain grain, string reason, CancellationToken cancellationToken)
    {
        ChannelStep step = await grain.ApplyAsync(new ChannelInput(ChannelEvent.Cancel, _time.GetUtcNow()) { Message = reason }).ConfigureAwait(false);
        if (!step.Applied)
        {
            return;
        }

        ChannelReport report = await ReportAsync(channel, cancellationToken).ConfigureAwait(false);
        await CleanUpReceivedAsync(report).ConfigureAwait(false);
        await grain.ApplyAsync(new ChannelInput(ChannelEvent.CleanupComplete, _time.GetUtcNow())).ConfigureAwait(false);
        Cancelled(_logger, channel, reason);
    }

    /// <summary>Drops what a receiving side holds only partially for a channel that will not complete (unless asked to keep it).</summary>
    internal async Task CleanUpReceivedAsync(ChannelReport report)
    {
        if (!report.IsReceiver || report.Terms.KeepPartial)
        {
            return;
        }

        IReadOnlyList<Blake3Hash> members;
        try
        {
            members = await MembersAsync(report.State.Base, report.State.Paths, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobProtocolException)
        {
            members = []; // the paths select nothing here: nothing of them was received
        }

        foreach (Blake3Hash hash in (IEnumerable<Blake3Hash>)[report.State.Base, .. members])
        {
            bool shared = _drivers.Values.Any(d => d.Channel != report.Ref && d.Base == report.State.Base);
            if (_store.FindPartial(hash) is { } partial && !shared)
            {
                // Another channel receiving the same blob here keeps it (one partial per blob).
                _store.DiscardPartial(partial);
            }
        }
    }

    /// <summary>Sends a control message to the other side; an unreachable side is logged, not fatal (it learns on restart).</summary>
    internal async Task TellAsync(ChannelReport report, TransferControlKind kind, string? message, CancellationToken cancellationToken)
    {
        var control = new TransferControl(report.State.Id.TransferId, kind) { FromInitiator = report.Side == ChannelSide.Initiator, Message = message };
        try
        {
            await _peers.SendAsync<OkReply>(report.Terms.Peers, control.ToBlock(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TransferPeerUnreachableException or BlobProtocolException)
        {
            TellFailed(_logger, kind.ToString().ToLowerInvariant(), report.Ref, error.Message);
        }
    }

    /// <summary>Applies <paramref name="input"/>; a refusal (the event does not apply now) becomes a 400 with the state machine's sentence.</summary>
    internal static async Task<ChannelState> ApplyOrRefuseAsync(ITransferChannelGrain grain, ChannelInput input)
    {
        ChannelStep step = await grain.ApplyAsync(input).ConfigureAwait(false);
        return step.Applied ? step.State : throw new BlobProtocolException(BlobStatus.BadRequest, step.Refusal!.TrimEnd('.'));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // The host disposes its singletons after the silo already stopped this one: once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (ChannelDriver driver in _drivers.Values)
        {
            await driver.StopAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task AskResponderAsync(ITransferChannelGrain grain, ChannelTerms terms, MetadataBlock open, CancellationToken cancellationToken, bool fromMonitor = false)
    {
        ChannelState? state;
        try
        {
            VoucherResultReply reply = await _peers.SendAsync<VoucherResultReply>(terms.Peers, open, cancellationToken).ConfigureAwait(false);
            TransferVoucherResultMessage answer = reply.Message;
            if (answer.Size is { } size && terms.Size == 0)
            {
                await grain.SetSizeAsync(size).ConfigureAwait(false);
            }

            state = await grain.OnVoucherResultAsync(answer.Result, answer.DataLimit, answer.Paused).ConfigureAwait(false);
        }
        catch (TransferPeerUnreachableException error)
        {
            // Not refused, just not answered: the monitor (a driver, or the next start) tries again.
            await grain.ApplyAsync(new ChannelInput(ChannelEvent.Disconnected, _time.GetUtcNow()) { Message = error.Message }).ConfigureAwait(false);
            state = await grain.GetAsync().ConfigureAwait(false);
        }
        catch (BlobProtocolException refused)
        {
            // The responder refused the request itself (no such blob there, a restart of a channel it does not keep).
            DateTimeOffset now = _time.GetUtcNow();
            if ((await grain.ApplyAsync(new ChannelInput(ChannelEvent.Error, now) { Message = $"The responder refused: {refused.Message.TrimEnd('.')}." }).ConfigureAwait(false)).Applied)
            {
                if (await grain.GetAsync().ConfigureAwait(false) is { } failing)
                {
                    await CleanUpReceivedAsync(new ChannelReport(ChannelSide.Initiator, failing, terms)).ConfigureAwait(false);
                }

                await grain.ApplyAsync(new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
            }

            return;
        }

        if (state is not null && state.IsDisconnected && state.Status == ChannelStatus.Requested)
        {
            if (fromMonitor)
            {
                return; // the calling monitor tries again itself
            }

            // Never accepted yet: the monitor asks again with back-off.
            StartMonitor(grain, state);
        }
        else if (state is not null)
        {
            EnsureDriving(new ChannelRef(state.Id.TransferId), state);
        }
    }

    private void StartMonitor(ITransferChannelGrain grain, ChannelState state) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await MonitorOpenAsync(grain, state).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Stopping: the channel is resumed at the next start.
            }
#pragma warning disable CA1031 // A monitor must never take the silo down; the channel keeps its state and resumes on restart.
            catch (Exception error)
#pragma warning restore CA1031
            {
                ResumeFailed(_logger, new ChannelRef(state.Id.TransferId), error.Message);
            }
        });

    private async Task MonitorOpenAsync(ITransferChannelGrain grain, ChannelState state)
    {
        {
            var channel = new ChannelRef(state.Id.TransferId);
            TimeSpan wait = Options.RestartBackoff;
            for (int attempt = 1; !_stopping.IsCancellationRequested; attempt++)
            {
                await Task.Delay(wait, _time, _stopping.Token).ConfigureAwait(false);
                ChannelState? now = await grain.GetAsync().ConfigureAwait(false);
                if (now is null || now.IsFinal || !now.IsDisconnected)
                {
                    return;
                }

                if (attempt > Options.MaxConsecutiveRestarts)
                {
                    await grain.ApplyAsync(new ChannelInput(ChannelEvent.Error, _time.GetUtcNow()) { Message = $"The responder never answered the open ({attempt - 1} tries): {now.Message}" }).ConfigureAwait(false);
                    await grain.ApplyAsync(new ChannelInput(ChannelEvent.CleanupComplete, _time.GetUtcNow())).ConfigureAwait(false);
                    return;
                }

                ChannelTerms terms = await grain.GetTermsAsync().ConfigureAwait(false) ?? new ChannelTerms();
                var open = new TransferOpen(now.Id.TransferId, now.Direction, now.Base, terms.Size, now.Vouchers[^1]);
                await AskResponderAsync(grain, terms, open.ToBlock(), _stopping.Token, fromMonitor: true).ConfigureAwait(false);
                ChannelState? after = await grain.GetAsync().ConfigureAwait(false);
                if (after is not null && !after.IsDisconnected)
                {
                    EnsureDriving(channel, after);
                    return;
                }

                wait = wait * 2 < Options.MaxRestartBackoff ? wait * 2 : Options.MaxRestartBackoff;
            }
        }
    }

    /// <summary>The side of channel <paramref name="transferId"/> that sends to <paramref name="peer"/>: the initiator of a push, or the responder of a pull.</summary>
    private async Task<(ChannelRef Channel, ChannelReport Report)> SendingSideAsync(NodeId peer, ulong transferId, CancellationToken cancellationToken)
    {
        var asResponder = new ChannelRef(transferId, peer);
        if (await _grains.TransferChannel(asResponder).GetAsync().ConfigureAwait(false) is { Direction: TransferDirection.Pull } pulled)
        {
            return (asResponder, new ChannelReport(ChannelSide.Responder, pulled, new ChannelTerms()));
        }

        var asInitiator = new ChannelRef(transferId);
        ITransferChannelGrain grain = _grains.TransferChannel(asInitiator);
        if (await grain.GetAsync().ConfigureAwait(false) is { Direction: TransferDirection.Push } pushed)
        {
            ChannelTerms terms = await grain.GetTermsAsync().ConfigureAwait(false) ?? new ChannelTerms();
            if (pushed.Id.Responder == peer || terms.Peers.Any(p => p.Node == peer))
            {
                return (asInitiator, new ChannelReport(ChannelSide.Initiator, pushed, terms));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new BlobProtocolException(BlobStatus.Forbidden, $"no channel {transferId} sends to {peer} from this cluster");
    }

    /// <summary>
    /// The size of what a channel with this base and <paramref name="paths"/> moves, from this silo's
    /// store: the blob, plus the collection's members it selects; null if the base is not held. A
    /// member this silo lacks (in a cluster of more silos than copies, each file is placed by its own
    /// hash) is counted from the cluster's record: nothing is fetched for a peer whose voucher has
    /// not been checked yet; <see cref="AuthorizeAsync"/> fetches it when its first piece is asked for.
    /// </summary>
    /// <exception cref="BlobProtocolException">A path selects nothing (400), or a member is nowhere in the cluster (404).</exception>
    private async Task<long?> LocalSizeAsync(Blake3Hash @base, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (await _store.RecordAsync(@base, cancellationToken).ConfigureAwait(false) is not { } info || !await _store.HasAsync(@base, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        long size = info.Size;
        foreach (Blake3Hash member in await MembersAsync(@base, paths, cancellationToken).ConfigureAwait(false))
        {
            BlobInfo? held = await _store.RecordAsync(member, cancellationToken).ConfigureAwait(false)
                ?? (await _cluster.LocateAsync(member, cancellationToken).ConfigureAwait(false))?.Blob;
            size += held?.Size
                ?? throw new BlobProtocolException(BlobStatus.NotFound, $"collection {@base} names blob {member}, which neither this silo nor its cluster holds: the channel could not send it");
        }

        return size;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer channel {TransferId} opened: {Direction} of {Base} with {Responder}")]
    private static partial void Opened(ILogger logger, ulong transferId, TransferDirection direction, Blake3Hash @base, SiloTicket responder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer channel {TransferId} from {Peer} refused: {Reason}")]
    private static partial void Refused(ILogger logger, ulong transferId, NodeId peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer channel {Channel} cancelled: {Reason}")]
    private static partial void Cancelled(ILogger logger, ChannelRef channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer channel {Channel} failed: {Reason}")]
    private static partial void Failed(ILogger logger, ChannelRef channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other side of channel {Channel} to {Kind}: {Reason}")]
    private static partial void TellFailed(ILogger logger, string kind, ChannelRef channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer channel {Channel} could not be resumed at start: {Reason}")]
    private static partial void ResumeFailed(ILogger logger, ChannelRef channel, string reason);
}
