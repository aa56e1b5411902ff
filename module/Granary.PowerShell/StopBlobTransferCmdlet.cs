using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Cancels transfer channels: both sides end Cancelled.</para>
/// </summary>
/// <remarks>ConfirmImpact High, as Remove-Blob: a cancel cannot be undone, and the receiver drops what it verified unless the channel keeps partial data.</remarks>
[Cmdlet(VerbsLifecycle.Stop, "BlobTransfer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ChannelReport))]
public sealed class StopBlobTransferCmdlet : ChannelCommandCmdlet
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
    private protected override TransferCommand Command => TransferCommand.Cancel;

    /// <inheritdoc/>
    private protected override string Action => "Cancel (both sides end Cancelled; the receiver drops its partial data unless -KeepPartial)";

    /// <inheritdoc/>
    protected override void ProcessRecord() => Send(Id, Session);
}
