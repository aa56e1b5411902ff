using Granary.Blobs.Client;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Commands;

/// <summary>Get-GranarySilo and Get-GranaryClusterStatus: the membership view and counts.</summary>
public sealed class GetClusterStatusCommand
{
    /// <summary>Output one object per silo (Get-GranarySilo) instead of the whole status.</summary>
    public bool SilosOnly { get; init; }

    /// <summary>Include dead incarnations (Get-GranarySilo -IncludeDead).</summary>
    public bool IncludeDead { get; init; }

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public async Task RunAsync(GranarySession session, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        ClusterStatus status = await session.Client.ClusterStatusAsync(host.CancellationToken).ConfigureAwait(false);
        if (!SilosOnly)
        {
            host.Output(status);
            return;
        }

        foreach (SiloStatusInfo silo in status.Silos.Where(s => IncludeDead || s.Status != "Dead"))
        {
            host.Output(silo);
        }
    }
}
