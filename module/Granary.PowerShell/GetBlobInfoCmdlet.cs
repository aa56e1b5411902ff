using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Shows blobs' size, lifetime, uploader and tags.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "BlobInfo")]
[OutputType(typeof(BlobItem))]
public sealed class GetBlobInfoCmdlet : GranaryCmdlet
{
    /// <summary>Blob hashes or tickets; blob objects bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ticket")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BlobHashCompleter))]
    public string[] Hash { get; set; } = [];

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetBlobInfoCommand { Blobs = Hash }.RunAsync(session, host));
    }
}
