using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
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
    [TtlTransformation]
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
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        var command = new SendBlobCommand
        {
            Paths = ParameterSetName == InputObjectSet ? [] : ResolvePaths(),
            Bytes = ParameterSetName == InputObjectSet ? InputBytes() : null,
            Source = ParameterSetName == InputObjectSet ? InputStream() : null,
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
                Collection<string> matched = GetResolvedProviderPathFromPSPath(pattern, out _);
                if (matched.Count == 0)
                {
                    // PowerShell resolves a wildcard that matches nothing to nothing, silently;
                    // an upload of nothing would look like success.
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"Nothing matches '{pattern}'. In -Path, * ? and [ ] are wildcards: use -LiteralPath for names that contain them."),
                        "Granary.PathNotFound", ErrorCategory.ObjectNotFound, pattern));
                }

                paths.AddRange(matched);
            }
            catch (ItemNotFoundException error)
            {
                WriteError(new ErrorRecord(error, "Granary.PathNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }

        return paths;
    }

    /// <summary>The bytes of -InputObject, or null for a stream (the command reads it, cancellably).</summary>
    private byte[]? InputBytes() => Unwrapped() switch
    {
        byte[] bytes => bytes,
        Stream => null,
        var other => Refuse(other),
    };

    private Stream? InputStream() => Unwrapped() as Stream;

    private object Unwrapped() => InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;

    private byte[] Refuse(object value)
    {
        ThrowTerminatingError(new ErrorRecord(
            new ArgumentException($"-InputObject must be a byte[] or a Stream, not {value.GetType().Name}. For files use -Path."),
            "Granary.InvalidInputObject", ErrorCategory.InvalidArgument, value));
        return [];
    }
}
