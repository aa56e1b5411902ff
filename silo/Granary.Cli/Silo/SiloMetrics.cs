using System.Diagnostics.Metrics;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Granary.Grains.Gossip;
using Granary.Grains.Transfers;
using Granary.Storage.Blobs;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Microsoft.Extensions.Logging;

namespace Granary.Cli.Silo;

/// <summary>
/// The silo's state gauges (meter <see cref="MeterName"/>): blobs and bytes stored, the repair
/// backlog, the cluster's silos by status, transfer channels by status and gossip topics joined.
/// What needs a query (the store's totals, the channel list) is refreshed every
/// <see cref="RefreshInterval"/> by <see cref="RunAsync"/>, so a scrape never waits on a database.
/// </summary>
internal sealed partial class SiloMetrics : IDisposable
{
    /// <summary>The meter's name, <c>Granary.Silo</c>.</summary>
    public const string MeterName = "Granary.Silo";

    /// <summary>How often the queried gauges are refreshed: 5 s.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly Meter _meter = new(MeterName);
    private readonly BlobStore _store;
    private readonly TransferService _transfers;
    private readonly ILogger _logger;
    private (long Blobs, long Bytes) _stored = (-1, -1);
    private IReadOnlyList<Measurement<long>> _channels = [];

    public SiloMetrics(BlobStore store, RepairBacklog backlog, ClusterView view, TransferService transfers, GossipService gossip, ILogger<SiloMetrics> logger)
    {
        (_store, _transfers, _logger) = (store, transfers, logger);
        _meter.CreateObservableUpDownCounter("granary.storage.blobs", () => Stored(_stored.Blobs), "{blob}", "Blobs stored on this silo.");
        _meter.CreateObservableUpDownCounter("granary.storage.size", () => Stored(_stored.Bytes), "By", "Bytes of blob data stored on this silo (outboards not counted).");
        _meter.CreateObservableUpDownCounter("granary.repair.backlog", () => Stored(backlog.Count), "{blob}", "Blobs this silo holds that were short of R copies at its last repair pass (the replica deficit).");
        _meter.CreateObservableUpDownCounter("granary.cluster.silos", () => Members(view), "{silo}", "Silos in the cluster's membership as this silo sees it, by status (active, joining, shutting_down, dead, draining).");
        _meter.CreateObservableUpDownCounter("granary.transfer.channels", () => _channels, "{channel}", "Transfer channels in the cluster by status (every silo reports the cluster's total).");
        _meter.CreateObservableUpDownCounter("granary.gossip.topics", () => gossip.JoinedTopics, "{topic}", "Gossip topics whose swarm this silo is in.");
    }

    /// <summary>Refreshes the queried gauges until cancelled; a failed query is logged and retried next time.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        do
        {
            try
            {
                _stored = await _store.StatsAsync(cancellationToken).ConfigureAwait(false);
                IReadOnlyList<ChannelReport> channels = await _transfers.ListAsync(cancellationToken).ConfigureAwait(false);
                _channels = [.. channels.GroupBy(c => c.State.Status).Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("granary.status", StatusName(g.Key))))];
            }
#pragma warning disable CA1031 // A gauge that cannot be refreshed (database away) keeps its last value; the silo goes on.
            catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
            {
                RefreshFailed(_logger, error.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Stored(long value) => value < 0 ? [] : [new Measurement<long>(value)];

    private static IEnumerable<Measurement<long>> Members(ClusterView view) =>
        view.Silos.GroupBy(s => s.Draining && s.IsServing ? "draining" : StatusName(s.Status))
            .Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("granary.status", g.Key)));

    private static string StatusName(global::Orleans.Runtime.SiloStatus status) => status switch
    {
        global::Orleans.Runtime.SiloStatus.Active => "active",
        global::Orleans.Runtime.SiloStatus.Joining or global::Orleans.Runtime.SiloStatus.Created => "joining",
        global::Orleans.Runtime.SiloStatus.ShuttingDown or global::Orleans.Runtime.SiloStatus.Stopping => "shutting_down",
        _ => "dead",
    };

    private static string StatusName(ChannelStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics: the stored totals or channel list could not be refreshed: {Reason}")]
    private static partial void RefreshFailed(ILogger logger, string reason);
}
