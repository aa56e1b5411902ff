using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Keeps blobs longer, on every replica (the expiry never moves earlier).</para>
/// </summary>
[Cmdlet(VerbsData.Update, "BlobExpiry", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(BlobItem))]
public sealed class UpdateBlobExpiryCmdlet : GranaryCmdlet
{
    /// <summary>Blob hashes or tickets; blob objects bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ticket")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BlobHashCompleter))]
    public string[] Hash { get; set; } = [];

    /// <summary>Keep each blob at least this long from now.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [TtlTransformation]
    public TimeSpan Ttl { get; set; }

    /// <summary>Output the updated blob objects.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new UpdateBlobExpiryCommand { Blobs = Hash, Ttl = Ttl, PassThru = PassThru }.RunAsync(session, host));
    }
}
