using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Resumes transfer channels this cluster paused.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "BlobTransfer", SupportsShouldProcess = true)]
[OutputType(typeof(ChannelReport))]
public sealed class ResumeBlobTransferCmdlet : ChannelCommandCmdlet
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
    private protected override TransferCommand Command => TransferCommand.Resume;

    /// <inheritdoc/>
    private protected override string Action => "Resume";

    /// <inheritdoc/>
    protected override void ProcessRecord() => Send(Id, Session);
}
