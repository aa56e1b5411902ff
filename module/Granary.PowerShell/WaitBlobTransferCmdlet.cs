using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Waits for transfer channels to end, with a progress bar, and outputs their final reports.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "BlobTransfer")]
[OutputType(typeof(ChannelReport))]
public sealed class WaitBlobTransferCmdlet : TransferCmdlet
{
    /// <summary>Channels (ID, or INITIATOR/ID for one another cluster opened here); reports bind by their Ref.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ref")]
    [ValidateNotNullOrEmpty]
    [ChannelIdTransformation]
    public string[] Id { get; set; } = [];

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string[] ids = Id;
        RunTransfer(Session, (client, host) => EachChannelAsync(ids, host, async channel =>
        {
            // Shown first: a wrong id is a "not found" here, not a watch that never starts.
            ChannelReport now = await client.ShowAsync(channel, host.CancellationToken).ConfigureAwait(false);
            OutputReport(now.State.IsFinal ? now : await FollowAsync(client, channel, now, host).ConfigureAwait(false), host);
        }));
    }
}
