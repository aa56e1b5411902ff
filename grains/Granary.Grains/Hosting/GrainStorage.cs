namespace Granary.Grains.Hosting;

/// <summary>The grain-storage provider every Granary grain uses (PostgreSQL in a cluster, the silo's SQLite alone).</summary>
public static class GrainStorage
{
    /// <summary>The provider's name.</summary>
    public const string Name = "granary";
}
