namespace Granary.Storage.Blobs;

/// <summary>Where and under which limits a <see cref="BlobStore"/> keeps blobs.</summary>
public sealed class BlobStoreOptions
{
    /// <summary>The store's directory (blobs/, tmp/ and metadata.db live under it).</summary>
    public required string Directory { get; set; }

    /// <summary>Lifetime of a blob uploaded without a TTL.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest lifetime an upload or extension may ask for; longer requests are cut to it.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Shortest lifetime; shorter requests are raised to it (a blob must outlive its upload's reply).</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest blob accepted.</summary>
    public long MaxBlobSize { get; set; } = 1L << 40;

    /// <summary>How often expired blobs are deleted from disk (they stop being served at once regardless).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal TimeSpan ClampTtl(TimeSpan? requested)
    {
        TimeSpan ttl = requested ?? DefaultTtl;
        return ttl < MinTtl ? MinTtl : ttl > MaxTtl ? MaxTtl : ttl;
    }
}
