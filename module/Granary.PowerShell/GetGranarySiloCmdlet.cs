using System.Management.Automation;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

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
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(host => new GetClusterStatusCommand { SilosOnly = true, IncludeDead = IncludeDead }.RunAsync(session, host));
    }
}
