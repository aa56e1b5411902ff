using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Lists the cluster's gossip topics: id, name, when created, and the silos in each swarm now.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "GossipTopic")]
[OutputType(typeof(TopicReport))]
public sealed class GetGossipTopicCmdlet : GossipCmdlet
{
    /// <summary>Only these topics (names or ids); default: every topic.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Topic { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        HashSet<TopicId>? wanted = Topic?.Select(TopicId.FromText).ToHashSet();
        RunGossip(Session, async (client, host) =>
        {
            foreach (TopicReport report in await client.ListAsync(host.CancellationToken).ConfigureAwait(false))
            {
                if (wanted is null || wanted.Contains(report.Topic))
                {
                    host.Output(report);
                }
            }
        });
    }
}
