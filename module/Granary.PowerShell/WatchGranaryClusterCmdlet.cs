using System.Management.Automation;
using Granary.Blobs.Commands;
using System.Text;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Streams the cluster's events as they happen, until Ctrl-C or -Count events: silos starting, stopping, draining, changing membership status, and repair backlogs changing.</para>
/// <para type="description">The events travel on the cluster-events gossip topic, which every silo joins; a message there that is not a cluster event is a warning.</para>
/// </summary>
[Cmdlet(VerbsCommon.Watch, "GranaryCluster")]
[OutputType(typeof(ClusterEvent))]
public sealed class WatchGranaryClusterCmdlet : GossipCmdlet
{
    /// <summary>Stop after this many cluster events (other messages on the topic do not count); default: until Ctrl-C.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        int? count = Count;
        RunGossip(Session, (client, host) => FollowAsync(client, TopicId.FromName(TopicsProtocol.ClusterEventsTopic), TopicsProtocol.ClusterEventsTopic, count, host, e =>
        {
            if (ClusterEvent.TryParse(e.Content.Span) is { } clusterEvent)
            {
                host.Output(clusterEvent);
                return true;
            }

            host.Warning($"Not a cluster event on {TopicsProtocol.ClusterEventsTopic}: {Encoding.UTF8.GetString(e.Content.Span)}");
            return false;
        }));
    }
}
