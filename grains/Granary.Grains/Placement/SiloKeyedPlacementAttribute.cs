using Orleans.Placement;

namespace Granary.Grains.Placement;

/// <summary>Marks a grain class for <see cref="SiloKeyedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloKeyedPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SiloKeyedPlacementAttribute()
        : base(SiloKeyedPlacement.Instance)
    {
    }
}
