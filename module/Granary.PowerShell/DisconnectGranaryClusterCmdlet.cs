using System.Management.Automation;
using Granary.Blobs.Commands;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Closes a Granary session (by default the one Connect-GranaryCluster made).</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "GranaryCluster")]
[OutputType(typeof(void))]
public sealed class DisconnectGranaryClusterCmdlet : GranaryCmdlet
{
    /// <summary>The session to close; default: the default session.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        GranarySession session = ResolveSession(Session);
        Run(async _ => await session.DisposeAsync().ConfigureAwait(false));
        if (ReferenceEquals(SessionState.PSVariable.GetValue(GlobalSessionVariable), session))
        {
            SessionState.PSVariable.Remove(GlobalSessionVariable);
        }
    }
}
