using System.Collections;
using System.Management.Automation;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Uploads files, directories (as collections) or bytes to a Granary cluster.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "Blob", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(BlobItem))]
public sealed class SendBlobCmdlet : GranaryCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string InputObjectSet = "InputObject";

    /// <summary>Files or directories to upload; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Files or directories taken literally (what Get-ChildItem pipes in, as PSPath).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Bytes (byte[]) or a readable stream to upload as one blob.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    /// <summary>How long the cluster keeps the blobs (default: the silo's, 7 days).</summary>
    [Parameter]
    public TimeSpan? Ttl { get; set; }

    /// <summary>Upload directories, each as one collection.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>
    /// In directories, follow every symbolic link, also those leading out of the directory. Without
    /// it only links to something inside are followed; the others are left out with an error each.
    /// </summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    /// <summary>Labels kept with each file blob, as a hashtable of KEY = VALUE.</summary>
    [Parameter]
    public Hashtable? Tag { get; set; }

    /// <summary>Output the input file objects, each with BlobHash and BlobTicket properties added, instead of blob objects.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        var command = new SendBlobCommand
        {
            Paths = ParameterSetName == InputObjectSet ? [] : ResolvePaths(),
            Bytes = ParameterSetName == InputObjectSet ? ReadInput() : null,
            Ttl = Ttl,
            Recurse = Recurse,
            FollowSymlinks = FollowSymlink,
            Tags = Tag?.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty, StringComparer.Ordinal),
        };
        Run(host => command.RunAsync(session, host));
    }

    /// <inheritdoc/>
    protected override void WriteOutput(object item)
    {
        if (PassThru && item is BlobItem { Path: { } path } blob)
        {
            var input = PSObject.AsPSObject(Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path));
            input.Properties.Add(new PSNoteProperty("BlobHash", blob.Hash));
            input.Properties.Add(new PSNoteProperty("BlobTicket", blob.Ticket));
            WriteObject(input);
            return;
        }

        base.WriteOutput(item);
    }

    private List<string> ResolvePaths()
    {
        var paths = new List<string>();
        if (ParameterSetName == LiteralPathSet)
        {
            paths.AddRange(LiteralPath.Select(GetUnresolvedProviderPathFromPSPath));
            return paths;
        }

        foreach (string pattern in Path)
        {
            try
            {
                paths.AddRange(GetResolvedProviderPathFromPSPath(pattern, out _));
            }
            catch (ItemNotFoundException error)
            {
                WriteError(new ErrorRecord(error, "Granary.PathNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }

        return paths;
    }

    private byte[] ReadInput()
    {
        object value = InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;
        switch (value)
        {
            case byte[] bytes:
                return bytes;
            case Stream stream:
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    return copy.ToArray();
                }

            default:
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-InputObject must be a byte[] or a Stream, not {value.GetType().Name}. For files use -Path."),
                    "Granary.InvalidInputObject", ErrorCategory.InvalidArgument, value));
                return [];
        }
    }
}

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
    public string[] Hash { get; set; } = [];

    /// <summary>Blob tickets (granary:NODE@IP:PORT/HASH).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TicketSet)]
    [ValidateNotNullOrEmpty]
    public string[] Ticket { get; set; } = [];

    /// <summary>The file to write, or an existing directory to write into (named by hash). A collection becomes a directory.</summary>
    [Parameter(Position = 1)]
    public string? Destination { get; set; }

    /// <summary>Only these bytes: START, END (END exclusive).</summary>
    [Parameter]
    [ValidateCount(2, 2)]
    public long[]? Range { get; set; }

    /// <summary>Output the bytes (at most 64 MiB) instead of writing a file.</summary>
    [Parameter]
    public SwitchParameter AsByteArray { get; set; }

    /// <summary>Download only from the session's silo instead of every replica.</summary>
    [Parameter]
    public SwitchParameter SingleProvider { get; set; }

    /// <summary>Replace existing files (the destination file, or files of a collection with other content); without it such a download is refused and nothing is written.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
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
    public string[] Hash { get; set; } = [];

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetBlobInfoCommand { Blobs = Hash }.RunAsync(session, host));
    }
}

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
    public string[] Hash { get; set; } = [];

    /// <summary>Keep each blob at least this long from now.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public TimeSpan Ttl { get; set; }

    /// <summary>Output the updated blob objects.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new UpdateBlobExpiryCommand { Blobs = Hash, Ttl = Ttl, PassThru = PassThru }.RunAsync(session, host));
    }
}

/// <summary>
/// <para type="synopsis">Deletes blobs from every silo of the cluster.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Blob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveBlobCmdlet : GranaryCmdlet
{
    /// <summary>Blob hashes or tickets; blob objects bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ticket")]
    [ValidateNotNullOrEmpty]
    public string[] Hash { get; set; } = [];

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new RemoveBlobCommand { Blobs = Hash }.RunAsync(session, host));
    }
}

/// <summary>
/// <para type="synopsis">Checks local files against a blob hash (no cluster needed).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Blob", DefaultParameterSetName = "Path")]
[OutputType(typeof(bool), typeof(BlobVerification))]
public sealed class TestBlobCmdlet : GranaryCmdlet
{
    /// <summary>Files to check; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Path")]
    [SupportsWildcards]
    public string[] Path { get; set; } = [];

    /// <summary>Files taken literally (Get-ChildItem's PSPath).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The hash (or blob ticket) every file must have.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Hash { get; set; } = string.Empty;

    /// <summary>Output objects with both hashes instead of $true/$false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        List<string> paths = ParameterSetName == "LiteralPath"
            ? [.. LiteralPath.Select(GetUnresolvedProviderPathFromPSPath)]
            : [.. Path.SelectMany(p => GetResolvedProviderPathFromPSPath(p, out _))];
        Run(host => new TestBlobCommand { Paths = paths, Hash = Hash, Detailed = Detailed }.RunAsync(host));
    }
}

/// <summary>
/// <para type="synopsis">Lists the cluster's silos: status, blobs, bytes and repair backlog.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "GranarySilo")]
[OutputType(typeof(SiloStatusInfo))]
public sealed class GetGranarySiloCmdlet : GranaryCmdlet
{
    /// <summary>Also list incarnations that died or left.</summary>
    [Parameter]
    public SwitchParameter IncludeDead { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetClusterStatusCommand { SilosOnly = true, IncludeDead = IncludeDead }.RunAsync(session, host));
    }
}

/// <summary>
/// <para type="synopsis">Shows the cluster's replication factor, membership version and silos.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "GranaryClusterStatus")]
[OutputType(typeof(ClusterStatus))]
public sealed class GetGranaryClusterStatusCmdlet : GranaryCmdlet
{
    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetClusterStatusCommand().RunAsync(session, host));
    }
}
