using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

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
    [ArgumentCompleter(typeof(BlobHashCompleter))]
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
