using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Gossip.Proto;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Subscribes to a gossip topic through a silo and outputs each message as it arrives, until Ctrl-C or -Count messages.</para>
/// <para type="description">Messages published before the subscription are not replayed; each message arrives once. The silo joins the topic's swarm among the silos for this subscriber and leaves when its last subscriber goes.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "GossipMessage")]
[OutputType(typeof(GossipMessage))]
public sealed class ReceiveGossipMessageCmdlet : GossipCmdlet
{
    /// <summary>The topic: a name (its BLAKE3 hash is the topic id) or a topic id (64 hex digits).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Topic { get; set; } = string.Empty;

    /// <summary>Stop after this many messages; default: until Ctrl-C.</summary>
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
        string topic = Topic;
        TopicId id = TopicId.FromText(topic);
        int? count = Count;
        RunGossip(Session, (client, host) => FollowAsync(client, id, TopicId.NameOf(topic), count, host, e =>
        {
            host.Output(GossipMessage.Of(topic, id, e));
            return true;
        }));
    }
}
