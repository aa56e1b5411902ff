using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Transfers;

/// <summary>
/// The receiving side of one channel at work: fills the blob store's partial blob with the
/// verified pieces it lacks from the sender (<see cref="Downloader.FillAsync"/>, asked under the
/// channel; <see cref="ChannelPacer"/> counts them on the channel, which pauses at its data
/// limit), waits while the channel is paused, and finishes the channel
/// once every blob is stored (in a cluster: with R copies). It is also the channel's monitor
/// (go-data-transfer's): a broken connection marks the channel Disconnected and restarts it after a
/// back-off that doubles per consecutive restart, failing it after
/// <see cref="TransferOptions.MaxConsecutiveRestarts"/>. Restarting asks only for what is missing,
/// so no verified range is fetched twice.
/// </summary>
internal sealed partial class ChannelDriver(TransferService service, ChannelRef channel, Blake3Hash @base)
{
    /// <summary>The channel this drives.</summary>
    public ChannelRef Channel => channel;

    /// <summary>The blob or collection it receives.</summary>
    public Blake3Hash Base => @base;

    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(service.Stopping);
    private Task _running = Task.CompletedTask;

    private long _seen;

    private ITransferChannelGrain Grain => service.Grains.TransferChannel(channel);

    /// <summary>Starts the loop; <paramref name="finished"/> runs when it ends.</summary>
    public void Start(Action finished) => _running = Task.Run(async () =>
    {
        try
        {
            await RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The silo is stopping: the channel resumes at its next start.
        }
#pragma warning disable CA1031 // A driver must never take the silo down; the channel keeps its state and resumes on restart.
        catch (Exception error)
#pragma warning restore CA1031
        {
            DriverFailed(service.Logger, channel, error);
        }
        finally
        {
            finished();
        }
    });

    /// <summary>Stops the loop (the silo is stopping).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        await CountUnrecordedAsync(stop).ConfigureAwait(false);
        TimeSpan backoff = service.Options.RestartBackoff;
        while (!stop.IsCancellationRequested)
        {
            ChannelReport report = await service.ReportAsync(channel, stop).ConfigureAwait(false);
            ChannelState state = report.State;
            if (state.IsFinal)
            {
                return;
            }

            if (state.Status is not ChannelStatus.Ongoing)
            {
                // Paused (either side), or between finish and completion: wait for the next event.
                await WaitForChangeAsync(TimeSpan.FromSeconds(5), stop).ConfigureAwait(false);
                continue;
            }

            try
            {
                if (await ReceiveAsync(report, stop).ConfigureAwait(false))
                {
                    await FinishAsync(report, stop).ConfigureAwait(false);
                    return;
                }

                backoff = service.Options.RestartBackoff;
            }
            catch (Exception error) when (!stop.IsCancellationRequested && error is QuicException or IOException or TransferPeerUnreachableException or BaoVerificationException or BlobProtocolException or OperationCanceledException or ObjectDisposedException)
            {
                if (await EndedAsync().ConfigureAwait(false))
                {
                    // This side was cancelled or failed while a piece was on its way (a cancel drops
                    // the partial blob under the piece's writer): nothing more to do here.
                    Stopped(service.Logger, channel, error.Message);
                    return;
                }

                if (error is BlobProtocolException { Status: BlobStatus.Unavailable })
                {
                    // The sender is paused (or at its limit) and this side has not heard yet: wait for its message.
                    await WaitForChangeAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                    continue;
                }

                if (error is BlobProtocolException { Status: BlobStatus.Unauthorized or BlobStatus.Forbidden or BlobStatus.NotFound or BlobStatus.Gone or BlobStatus.BadRequest } refused)
                {
                    // The sender's cancel or failure notice is usually on its way: let it land first, so
                    // this side ends as the other did (Cancelled), not Failed on the refusal it caused.
                    for (int i = 0; i < 20 && !await EndedAsync().ConfigureAwait(false); i++)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), service.Time, stop).ConfigureAwait(false);
                    }

                    if (!await EndedAsync().ConfigureAwait(false))
                    {
                        await FailAsync($"The sender refused a piece: {refused.Message}.").ConfigureAwait(false);
                    }

                    return;
                }

                // The connection broke, the sender went away, or it sent bytes that do not verify
                // (every verified block before the fault is kept): disconnected, restart after a back-off.
                string reason = error switch
                {
                    BaoVerificationException => $"The sender sent data that does not verify: {error.Message}",
                    BlobStoreException => $"This silo's copy could not be kept: {error.Message}",
                    _ => $"The sender cannot be reached: {error.Message}",
                };
                ChannelState now = await TransferService.ApplyOrRefuseAsync(Grain, new ChannelInput(ChannelEvent.Disconnected, service.Time.GetUtcNow()) { Message = reason }).ConfigureAwait(false);
                if (now.ConsecutiveRestarts >= service.Options.MaxConsecutiveRestarts)
                {
                    await FailAsync($"Gave up after {now.ConsecutiveRestarts} restarts without progress. {reason}").ConfigureAwait(false);
                    return;
                }

                Disconnected(service.Logger, channel, reason, backoff.TotalSeconds);
                await Task.Delay(backoff, service.Time, stop).ConfigureAwait(false);
                backoff = backoff * 2 < service.Options.MaxRestartBackoff ? backoff * 2 : service.Options.MaxRestartBackoff;
                await RestartAsync(report, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A channel continued after this side crashed: its counter was written at most
    /// <see cref="ITransferChannelGrain.DataWriteInterval"/> ago, but every verified block it
    /// received since is still here (committed) and will not be fetched again — count it now, so
    /// the counter (and the data limit) stays "verified bytes received".
    /// </summary>
    private async Task CountUnrecordedAsync(CancellationToken stop)
    {
        ChannelReport report = await service.ReportAsync(channel, stop).ConfigureAwait(false);
        if (report.State.IsFinal || (report.State.Received == 0 && report.State.ConsecutiveRestarts == 0))
        {
            return;
        }

        long verified = 0;
        IReadOnlyList<Blake3Hash> members = await service.MembersAsync(report.State.Base, report.State.Paths, stop).ConfigureAwait(false);
        foreach (Blake3Hash hash in (IEnumerable<Blake3Hash>)[report.State.Base, .. members])
        {
            // A plain blob's partial is found on disk by its size (the channel's); a collection's
            // members are counted once their partials are open again (a small undercount at most).
            PartialBlob? partial = service.Store.FindPartial(hash);
            if (partial is null && hash == report.State.Base && members.Count == 0 && report.Terms.Size > 0 && !await service.Store.HasAsync(hash, stop).ConfigureAwait(false))
            {
                partial = service.Store.OpenPartial(hash, report.Terms.Size);
            }

            verified += partial is not null ? partial.Present().ByteCount(partial.Size)
                : await service.Store.RecordAsync(hash, stop).ConfigureAwait(false) is { } stored ? stored.Size
                : 0;
        }

        if (verified > report.State.Received)
        {
            await Grain.OnDataAsync(ChannelEvent.DataReceived, verified - report.State.Received).ConfigureAwait(false);
        }
    }

    /// <summary>Receives every blob of the channel that is missing here; true once all are stored, false if the channel stopped running.</summary>
    private async Task<bool> ReceiveAsync(ChannelReport report, CancellationToken stop)
    {
        Blake3Hash @base = report.State.Base;
        if (!await ReceiveBlobAsync(report, @base, stop).ConfigureAwait(false))
        {
            return false;
        }

        IReadOnlyList<Blake3Hash> members = await service.MembersAsync(@base, report.State.Paths, stop).ConfigureAwait(false);
        if (members.Count > 0 && report.Terms.Size == 0)
        {
            long total = (await service.Store.InfoAsync(@base, stop).ConfigureAwait(false)).Size;
            await Grain.SetSizeAsync(total).ConfigureAwait(false);
        }

        foreach (Blake3Hash member in members)
        {
            if (!await ReceiveBlobAsync(report, member, stop).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Receives one blob piece by piece; true once it is stored here.</summary>
    private async Task<bool> ReceiveBlobAsync(ChannelReport report, Blake3Hash hash, CancellationToken stop)
    {
        if (await service.Store.HasAsync(hash, stop).ConfigureAwait(false))
        {
            return true;
        }

        using PooledConnection lease = await LeaseSenderAsync(report.Terms.Peers, stop).ConfigureAwait(false);
        await using BlobClient client = BlobClient.Over(lease.Connection, report.Terms.Peers[0]);
        PartialBlob partial = service.Store.FindPartial(hash) ?? service.Store.OpenPartial(hash, await SizeAsync(client, hash, stop).ConfigureAwait(false));

        // The fill every download into a store uses (replica copies too): only the missing pieces
        // are asked for, under the channel, committed while the next ones stream; the pacer keeps
        // to the channel's pause and data limit and counts what became durable.
        var downloader = new Downloader([client]) { PieceBytes = service.Options.PieceSize };
        DownloadReport filled = await downloader.FillAsync(hash, partial, SplitStrategy.None, new ChannelPacer(Grain, report.State), channel.TransferId, stop).ConfigureAwait(false);
        if (filled.Stopped)
        {
            return false;
        }

        BlobInfo stored = await service.Store.CompletePartialAsync(partial, cancellationToken: stop).ConfigureAwait(false);
        if (service.Cluster.KeepsRecords)
        {
            // Acknowledged to the sender only once the cluster holds R copies, as a PUT is.
            await service.Cluster.ReplicateAsync(stored, stop).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Every byte is here and durable: tell the sender and complete this side.</summary>
    private async Task FinishAsync(ChannelReport report, CancellationToken stop)
    {
        bool initiator = channel.Side == ChannelSide.Initiator;
        var done = new TransferControl(channel.TransferId, initiator ? TransferControlKind.Finish : TransferControlKind.Complete) { FromInitiator = initiator };
        TimeSpan backoff = service.Options.RestartBackoff;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await service.Peers.SendAsync<OkReply>(report.Terms.Peers, done.ToBlock(), stop).ConfigureAwait(false);
                break;
            }
            catch (TransferPeerUnreachableException) when (attempt < service.Options.MaxConsecutiveRestarts)
            {
                await Task.Delay(backoff, service.Time, stop).ConfigureAwait(false);
                backoff = backoff * 2 < service.Options.MaxRestartBackoff ? backoff * 2 : service.Options.MaxRestartBackoff;
            }
            catch (TransferPeerUnreachableException error)
            {
                // Every byte is stored here; only the sender's bookkeeping lags. Complete this side.
                Disconnected(service.Logger, channel, error.Message, 0);
                break;
            }
        }

        DateTimeOffset now = service.Time.GetUtcNow();
        await TransferService.ApplyOrRefuseAsync(Grain, new ChannelInput(ChannelEvent.Complete, now)).ConfigureAwait(false);
        await TransferService.ApplyOrRefuseAsync(Grain, new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
        Completed(service.Logger, channel, report.State.Base);
    }

    private async Task RestartAsync(ChannelReport report, CancellationToken stop)
    {
        if (channel.Side == ChannelSide.Initiator)
        {
            var open = new TransferOpen(channel.TransferId, report.State.Direction, report.State.Base, report.Terms.Size, report.State.Vouchers[^1]) { IsRestart = true, Paths = report.State.Paths };
            await TransferService.ApplyOrRefuseAsync(Grain, new ChannelInput(ChannelEvent.Restart, service.Time.GetUtcNow())).ConfigureAwait(false);
            try
            {
                VoucherResultReply reply = await service.Peers.SendAsync<VoucherResultReply>(report.Terms.Peers, open.ToBlock(), stop).ConfigureAwait(false);
                TransferVoucherResultMessage answer = reply.Message;
                await Grain.OnVoucherResultAsync(answer.Result, answer.DataLimit, answer.Paused).ConfigureAwait(false);
            }
            catch (TransferPeerUnreachableException error)
            {
                await Grain.ApplyAsync(new ChannelInput(ChannelEvent.Disconnected, service.Time.GetUtcNow()) { Message = error.Message }).ConfigureAwait(false);
            }
            catch (BlobProtocolException refused) when (refused.Status is BlobStatus.NotFound or BlobStatus.Gone)
            {
                await FailAsync($"The responder cannot restart the channel: {refused.Message}.").ConfigureAwait(false);
            }
        }
        else
        {
            // The responder of a push cannot restart the initiator; it asks for pieces again.
            await TransferService.ApplyOrRefuseAsync(Grain, new ChannelInput(ChannelEvent.Restart, service.Time.GetUtcNow())).ConfigureAwait(false);
        }
    }

    private async Task FailAsync(string reason)
    {
        DateTimeOffset now = service.Time.GetUtcNow();
        ChannelStep step = await Grain.ApplyAsync(new ChannelInput(ChannelEvent.Error, now) { Message = reason }).ConfigureAwait(false);
        if (step.Applied)
        {
            await service.CleanUpReceivedAsync(await service.ReportAsync(channel, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
            await Grain.ApplyAsync(new ChannelInput(ChannelEvent.CleanupComplete, now)).ConfigureAwait(false);
        }

        Failed(service.Logger, channel, reason);
    }

    /// <summary>
    /// True if this side of the channel is final, on its way there (Cancelling or Failing: a cancel
    /// drops the partial blob under a piece's writer, which then fails), or gone — a fault then is
    /// the ending's doing, not a disconnect to report.
    /// </summary>
    private async Task<bool> EndedAsync() => await Grain.GetAsync().ConfigureAwait(false) is not { } state
        || state.IsFinal || state.Status is ChannelStatus.Cancelling or ChannelStatus.Failing;

    private async Task WaitForChangeAsync(TimeSpan wait, CancellationToken stop)
    {
        IReadOnlyList<ChannelHistoryEntry> events = await Grain.WatchAsync(_seen, wait).WaitAsync(stop).ConfigureAwait(false);
        if (events.Count > 0)
        {
            _seen = events[^1].Sequence;
        }
    }

    private async Task<PooledConnection> LeaseSenderAsync(IReadOnlyList<SiloTicket> peers, CancellationToken stop)
    {
        Exception? last = null;
        foreach (SiloTicket peer in peers)
        {
            try
            {
                return await service.Connections.LeaseAsync(peer.Address, peer.Node, BlobsProtocol.Alpn, stop).ConfigureAwait(false);
            }
            catch (QuicException error)
            {
                last = error;
            }
        }

        throw new TransferPeerUnreachableException($"No silo of the sender answered ({string.Join(", ", peers)}).", last!);
    }

    /// <summary>A blob's size from the sender: a get of no ranges answers with the description alone.</summary>
    private async Task<long> SizeAsync(BlobClient client, Blake3Hash hash, CancellationToken stop)
    {
        BlobInfo info = await client.GetAsync(hash, NoSink.Instance, ChunkRanges.Empty, channel.TransferId, stop).ConfigureAwait(false);
        return info.Size;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer channel {Channel} completed: {Base} stored")]
    private static partial void Completed(ILogger logger, ChannelRef channel, Blake3Hash @base);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer channel {Channel} disconnected: {Reason} (restart in {Seconds} s)")]
    private static partial void Disconnected(ILogger logger, ChannelRef channel, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transfer channel {Channel} stopped receiving: it ended meanwhile ({Reason})")]
    private static partial void Stopped(ILogger logger, ChannelRef channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer channel {Channel} failed: {Reason}")]
    private static partial void Failed(ILogger logger, ChannelRef channel, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Transfer channel {Channel}'s driver stopped on an unexpected error (the channel resumes at the next start)")]
    private static partial void DriverFailed(ILogger logger, ChannelRef channel, Exception error);

    /// <summary>A sink for a get of no ranges (nothing arrives).</summary>
    private sealed class NoSink : IBaoSink
    {
        public static readonly NoSink Instance = new();

        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
