using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Gossip;

/// <summary>
/// What this silo publishes on the cluster-events topic (<see cref="TopicsProtocol.ClusterEventsTopic"/>):
/// its start, its stop, its drain, changes of its repair backlog, and — if it is the oldest active
/// silo, so that each change is told once — every silo's membership status changes. The silo stays
/// in the topic's swarm while it runs, so a watcher on any silo hears every silo.
/// </summary>
public sealed partial class ClusterEvents(GossipService gossip, ClusterView view, RepairBacklog backlog, TimeProvider time, ILogger<ClusterEvents> logger)
{
    /// <summary>How often membership, drain and backlog are checked for changes: 2 s.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private static readonly TopicId Topic = TopicId.FromName(TopicsProtocol.ClusterEventsTopic);

    /// <summary>True once silo-started went out (a retry after a failure does not say it again).</summary>
    private bool _told;

    /// <summary>How long after a failure (the topic's grain unreachable, say) the silo tries again: 5 s.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Joins the topic, says the silo started, and publishes changes until cancelled. A failure
    /// (the database away while the topic's grain is asked) is logged and retried: cluster events
    /// are a view, never a reason for a silo to stop.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TellAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Failed(logger, error.Message);
                await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task TellAsync(CancellationToken cancellationToken)
    {
        TopicSubscriber presence = await gossip.SubscribeAsync(Topic, TopicsProtocol.ClusterEventsTopic, cancellationToken).ConfigureAwait(false);
        await using (presence.ConfigureAwait(false))
        {
            if (!_told)
            {
                await PublishAsync(new ClusterEvent("silo-started", view.Self.ToString(), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                _told = true;
            }

            var statuses = view.Silos.ToDictionary(s => s.Address, s => s.Status);
            long repairShort = backlog.Count;
            bool draining = view.SelfDraining;
            using var timer = new PeriodicTimer(CheckInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                IReadOnlyList<ClusterSilo> silos = view.Silos;
                // Silos started in the same second share a generation: the address breaks the tie,
                // so that every silo names the same teller whatever order its view lists them in.
                bool teller = silos.Where(s => s.Status == SiloStatus.Active)
                    .OrderBy(s => s.Address.Generation).ThenBy(s => s.Address.ToString(), StringComparer.Ordinal)
                    .FirstOrDefault()?.Address.Equals(view.SelfAddress) == true;
                foreach (ClusterSilo silo in silos)
                {
                    if ((!statuses.TryGetValue(silo.Address, out SiloStatus before) || before != silo.Status) && teller
                        && !await PublishAsync(new ClusterEvent("membership", silo.Ticket.ToString(), time.GetUtcNow()) { Status = silo.Status.ToString() }, cancellationToken).ConfigureAwait(false))
                    {
                        // Not handed to the swarm (the topic's grain busy or away): the old status is
                        // kept, so the next check tells this change instead of losing it.
                        continue;
                    }

                    statuses[silo.Address] = silo.Status;
                }

                if (backlog.Count != repairShort && backlog.Count >= 0)
                {
                    repairShort = backlog.Count;
                    await PublishAsync(new ClusterEvent("repair", view.Self.ToString(), time.GetUtcNow()) { Count = repairShort }, cancellationToken).ConfigureAwait(false);
                }

                if (view.SelfDraining && !draining)
                {
                    draining = true;
                    await PublishAsync(new ClusterEvent("draining", view.Self.ToString(), time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>How long a stopping silo tries to hand its silo-stopping event to the swarm: 5 s.</summary>
    public static readonly TimeSpan StoppingBudget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Says this silo is stopping (best effort: up to <see cref="StoppingBudget"/>). The event is
    /// queued to the neighbours here; it reaches them only if the gossip node is disposed (which
    /// waits for queued frames) before the QUIC endpoint closes.
    /// </summary>
    public async Task PublishStoppingAsync()
    {
        using var timeout = new CancellationTokenSource(StoppingBudget);
        if (!await PublishAsync(new ClusterEvent("silo-stopping", view.Self.ToString(), time.GetUtcNow()), timeout.Token).ConfigureAwait(false))
        {
            // A watcher misses this stop (it still sees the membership change): worth a line in the log.
            StoppingNotTold(logger, StoppingBudget);
        }
    }

    /// <returns>False if the event could not be handed to the swarm (logged).</returns>
    private async Task<bool> PublishAsync(ClusterEvent @event, CancellationToken cancellationToken)
    {
        try
        {
            await gossip.PublishAsync(Topic, TopicsProtocol.ClusterEventsTopic, @event.ToBytes(), DeliveryScope.Swarm, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is ObjectDisposedException or OperationCanceledException or BlobProtocolException or OrleansException or TimeoutException)
        {
            NotPublished(logger, @event.Event, error.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster events: {Reason}; trying again in 5 s")]
    private static partial void Failed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster events: this silo's stop was not told within {Budget}")]
    private static partial void StoppingNotTold(ILogger logger, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster event {Event} not published: {Reason}")]
    private static partial void NotPublished(ILogger logger, string @event, string reason);
}
