using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Pauses transfer channels from this cluster's side.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "BlobTransfer", SupportsShouldProcess = true)]
[OutputType(typeof(ChannelReport))]
public sealed class SuspendBlobTransferCmdlet : ChannelCommandCmdlet
{
    /// <summary>Channels (ID, or INITIATOR/ID for one another cluster opened here); reports from Get-BlobTransfer bind by their Ref.</summary>
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
    private protected override TransferCommand Command => TransferCommand.Pause;

    /// <inheritdoc/>
    private protected override string Action => "Pause (bytes stop after the piece in flight)";

    /// <inheritdoc/>
    protected override void ProcessRecord() => Send(Id, Session);
}
