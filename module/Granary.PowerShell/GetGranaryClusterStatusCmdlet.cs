using System.Management.Automation;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Shows the cluster's replication factor, membership version and silos.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "GranaryClusterStatus")]
[OutputType(typeof(ClusterStatus))]
public sealed class GetGranaryClusterStatusCmdlet : GranaryCmdlet
{
    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetClusterStatusCommand().RunAsync(session, host));
    }
}
