namespace Granary.Storage.Blobs;

/// <summary>
/// Where and under which limits a <see cref="BlobStore"/> keeps blobs. Checked by
/// <see cref="Validate"/> when the store opens (<see cref="BlobStore.OpenAsync"/>).
/// </summary>
public sealed class BlobStoreOptions
{
    /// <summary>The store's directory (blobs/, tmp/, partial/ and metadata.db live under it); created if missing. Required, not empty.</summary>
    public required string Directory { get; set; }

    /// <summary>Lifetime of a blob uploaded without a TTL; between <see cref="MinTtl"/> and <see cref="MaxTtl"/>. Default: 7 days.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Longest lifetime an upload or extension may ask for; longer requests are cut to it. At least <see cref="MinTtl"/>. Default: 90 days.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Shortest lifetime; shorter requests are raised to it (a blob must outlive its upload's reply). Positive. Default: 30 s.</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest blob accepted, in bytes; positive. Default: 1 TiB (2^40 bytes).</summary>
    public long MaxBlobSize { get; set; } = 1L << 40;

    /// <summary>How often expired blobs are deleted from disk (they stop being served at once regardless); positive. Default: 1 min.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws if a value is out of range or the TTLs contradict each other.</summary>
    /// <exception cref="ArgumentException"><see cref="Directory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A TTL, size or interval is not positive, <see cref="MinTtl"/> exceeds <see cref="MaxTtl"/>, or
    /// <see cref="DefaultTtl"/> lies outside them; the message names the option, its value and what is allowed.
    /// </exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException($"BlobStoreOptions.Directory is '{Directory}'; it must name the store's directory.", nameof(Directory));
        }

        // MinTtl first: the other TTLs are checked against it.
        if (MinTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MinTtl), $"BlobStoreOptions.MinTtl is {MinTtl}; it must be positive (a blob must outlive its upload's reply).");
        }

        if (MaxTtl < MinTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTtl), $"BlobStoreOptions.MaxTtl is {MaxTtl}; it must be at least MinTtl ({MinTtl}).");
        }

        if (DefaultTtl < MinTtl || DefaultTtl > MaxTtl)
        {
            // Else it would be clamped silently on every upload without a TTL.
            throw new ArgumentOutOfRangeException(nameof(DefaultTtl), $"BlobStoreOptions.DefaultTtl is {DefaultTtl}; it must lie between MinTtl ({MinTtl}) and MaxTtl ({MaxTtl}).");
        }

        if (MaxBlobSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlobSize), $"BlobStoreOptions.MaxBlobSize is {MaxBlobSize}; it must be a positive number of bytes.");
        }

        if (SweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SweepInterval), $"BlobStoreOptions.SweepInterval is {SweepInterval}; it must be positive.");
        }
    }

    internal TimeSpan ClampTtl(TimeSpan? requested)
    {
        TimeSpan ttl = requested ?? DefaultTtl;
        return ttl < MinTtl ? MinTtl : ttl > MaxTtl ? MaxTtl : ttl;
    }
}
