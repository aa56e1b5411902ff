using Granary.Hashing;
using Orleans.Concurrency;

namespace Granary.Grains;

/// <summary>
/// One silo's copies of blobs (key: the silo's <see cref="SiloAddress"/> in parsable form; placed
/// on exactly that silo, or the call fails if it is not active). Blob grains ask it to fetch a
/// blob, verified, from other silos, to drop or extend a copy, and for its counts.
/// </summary>
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>Brings a verified durable copy here from the sources (resuming from the next source if one fails); makes the expiry agree if it is already here.</summary>
    /// <exception cref="BlobGrainException">503 no source could provide it within the copy timeout.</exception>
    [ResponseTimeout("00:10:00")]
    Task FetchAsync(ReplicaFetch fetch);

    /// <summary>True if this silo holds a complete copy (expired or not): repair checks a recorded holder before trusting it.</summary>
    [AlwaysInterleave]
    Task<bool> HasAsync(Blake3Hash hash);

    /// <summary>Removes this silo's copy, if any.</summary>
    Task DropAsync(Blake3Hash hash);

    /// <summary>Sets the copy's expiry to the cluster's (<paramref name="expires"/>), if the copy is here.</summary>
    Task ExtendAsync(Blake3Hash hash, DateTimeOffset expires);

    /// <summary>This silo's blob count, bytes and repair backlog.</summary>
    Task<SiloStats> StatsAsync();

    /// <summary>Asks this silo for a repair pass soon (after a drain mark or a membership change it should act on).</summary>
    Task RepairSoonAsync();
}
