using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Lists the cluster's transfer channels, or shows some by id.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BlobTransfer")]
[OutputType(typeof(ChannelReport))]
public sealed class GetBlobTransferCmdlet : TransferCmdlet
{
    /// <summary>Channels to show (ID, or INITIATOR/ID for one another cluster opened here); none: every channel, newest first.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ref")]
    [ValidateNotNullOrEmpty]
    [ChannelIdTransformation]
    public string[]? Id { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string[]? ids = Id;
        RunTransfer(Session, async (client, host) =>
        {
            if (ids is null)
            {
                foreach (ChannelReport report in await client.ListAsync(host.CancellationToken).ConfigureAwait(false))
                {
                    host.Output(report);
                }

                return;
            }

            await EachChannelAsync(ids, host, async channel => host.Output(await client.ShowAsync(channel, host.CancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        });
    }
}
