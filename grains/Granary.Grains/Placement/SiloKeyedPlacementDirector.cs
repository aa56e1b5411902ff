using Orleans.Runtime.Placement;

namespace Granary.Grains.Placement;

/// <summary>Puts a <see cref="SiloKeyedPlacement"/> grain on the silo named by its key, if that silo is active.</summary>
public sealed class SiloKeyedPlacementDirector : IPlacementDirector
{
    /// <inheritdoc/>
    /// <exception cref="BlobGrainException">503: the named silo is not an active member (it left or was declared dead).</exception>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string key = target.GrainIdentity.Key.ToString() ?? string.Empty;
        SiloAddress wanted = SiloAddress.FromParsableString(key);
        return context.GetCompatibleSilos(target).Contains(wanted)
            ? Task.FromResult(wanted)
            : throw new BlobGrainException(Granary.Blobs.Protocol.BlobStatus.Unavailable, $"silo {wanted} is not an active member of the cluster");
    }
}
