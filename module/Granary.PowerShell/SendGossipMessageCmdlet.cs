using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using System.Text;
using Granary.Gossip.Proto;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Publishes messages on a gossip topic through a silo: every subscriber, through any silo, receives each once.</para>
/// <para type="description">Best effort: no replay for later subscribers and no order across publishers. A message is at most the silos' limit, 4 KiB by default.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "GossipMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = TextSet)]
public sealed class SendGossipMessageCmdlet : GossipCmdlet
{
    private const string TextSet = "Text";
    private const string BytesSet = "Bytes";

    /// <summary>The topic: a name (its BLAKE3 hash is the topic id) or a topic id (64 hex digits).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Topic { get; set; } = string.Empty;

    /// <summary>Messages as text (UTF-8), one message each; from the pipeline too.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ParameterSetName = TextSet)]
    [AllowEmptyString]
    public string[] Message { get; set; } = [];

    /// <summary>One message as bytes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BytesSet)]
    [ValidateNotNull]
    public byte[] Bytes { get; set; } = [];

    /// <summary>Only to the silo's direct neighbours in the swarm, who do not pass it on.</summary>
    [Parameter]
    public SwitchParameter Neighbors { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string topic = Topic;
        TopicId id = TopicId.FromText(topic);
        byte[][] messages = ParameterSetName == BytesSet ? [Bytes] : [.. Message.Select(Encoding.UTF8.GetBytes)];
        DeliveryScope scope = Neighbors ? DeliveryScope.Neighbors : DeliveryScope.Swarm;
        RunGossip(Session, async (client, host) =>
        {
            foreach (byte[] content in messages)
            {
                if (!await host.ShouldProcessAsync($"gossip topic {topic}", $"Publish a message of {content.Length} bytes").ConfigureAwait(false))
                {
                    continue;
                }

                try
                {
                    if (!await client.PublishAsync(id, TopicId.NameOf(topic), content, scope, host.CancellationToken).ConfigureAwait(false))
                    {
                        host.Warning($"An identical message went out on {topic} less than 90 s ago; a message's id is its content's hash, so this repeat reached no one. Add a counter or a time to make messages distinct.");
                    }
                }
                catch (BlobProtocolException refused) when (refused.Status is BlobStatus.TooLarge or BlobStatus.BadRequest)
                {
                    // About this message only: the others still go.
                    host.Report(CommandErrors.From(refused, topic) ?? new(CommandErrorKind.InvalidRequest, refused.Message, topic, refused));
                }
                catch (ArgumentException tooLarge)
                {
                    host.Report(new(CommandErrorKind.InvalidArgument, tooLarge.Message, topic, tooLarge));
                }
            }
        });
    }
}
