using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Downloads blobs by hash or ticket, verified, resuming, from every replica.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Blob", DefaultParameterSetName = HashSet)]
[OutputType(typeof(DownloadedBlob), typeof(byte[]))]
public sealed class GetBlobCmdlet : GranaryCmdlet
{
    private const string HashSet = "Hash";
    private const string TicketSet = "Ticket";

    /// <summary>Blob hashes (64 hex digits); blob objects from Send-Blob or Get-BlobInfo bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = HashSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BlobHashCompleter))]
    public string[] Hash { get; set; } = [];

    /// <summary>Blob tickets (granary:NODE@IP:PORT/HASH).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TicketSet)]
    [ValidateNotNullOrEmpty]
    public string[] Ticket { get; set; } = [];

    /// <summary>The file to write, or an existing directory to write into (named by hash). A collection becomes a directory.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Only these bytes: START, END (END exclusive).</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public long[]? Range { get; set; }

    /// <summary>Output the bytes (at most 64 MiB) instead of writing a file.</summary>
    [Parameter]
    public SwitchParameter AsByteArray { get; set; }

    /// <summary>Download from one silo instead of every replica: the session's silo if it holds the blob, else the first replica that answers.</summary>
    [Parameter]
    public SwitchParameter SingleProvider { get; set; }

    /// <summary>Replace existing files (the destination file, or files of a collection with other content); without it such a download is refused and nothing is written.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        var command = new GetBlobCommand
        {
            Blobs = ParameterSetName == TicketSet ? Ticket : Hash,
            Destination = Destination is null ? null : GetUnresolvedProviderPathFromPSPath(Destination),
            Range = Range is [var start, var end] ? (start, end) : null,
            AsByteArray = AsByteArray,
            SingleProvider = SingleProvider,
            Force = Force,
        };
        Run(host => command.RunAsync(session, host));
    }

    /// <inheritdoc/>
    protected override void WriteOutput(object item)
    {
        // A byte array goes out as one object, not enumerated byte by byte.
        if (item is byte[] bytes)
        {
            WriteObject(bytes, enumerateCollection: false);
            return;
        }

        base.WriteOutput(item);
    }
}
