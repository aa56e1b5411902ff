using Granary.Hashing;
using Orleans.Concurrency;

namespace Granary.Grains;

/// <summary>
/// The grain that owns one blob's place in the cluster (key: the BLAKE3 hash in lower-case hex,
/// see <see cref="BlobGrainKeys"/>): its size, expiry, upload info, the silos holding a verified
/// durable copy, and the tombstone of a delete. Orleans keeps it single-activation and its state
/// behind an ETag, so two silos never decide a blob's replicas at once.
/// </summary>
/// <remarks>Failures the caller must act on are <see cref="BlobGrainException"/>s carrying a blobs-protocol status.</remarks>
public interface IBlobGrain : IGrainWithStringKey
{
    /// <summary>
    /// A silo holds a verified durable copy (just uploaded, or found on its disk after a restart).
    /// With <see cref="BlobRegistration.RequireReplicas"/> it returns only when R silos hold the blob.
    /// </summary>
    /// <returns>The silos holding it and the cluster's record of it (which a returning silo adopts).</returns>
    /// <exception cref="BlobGrainException">410 the blob was deleted (the reporting silo's copy is dropped); 503 fewer than R copies could be made.</exception>
    [ResponseTimeout("00:10:30")]
    Task<BlobRegistered> RegisterAsync(BlobRegistration registration);

    /// <summary>Where the blob is and what the cluster knows of it; null if the cluster has no such blob (never uploaded, or deleted).</summary>
    /// <exception cref="BlobGrainException">410 the blob expired.</exception>
    [AlwaysInterleave]
    Task<BlobLocation?> LocateAsync();

    /// <summary>Makes the replica set match placement (copies to missing targets, drops extras once every target holds one).</summary>
    [ResponseTimeout("00:10:30")]
    Task<RepairOutcome> RepairAsync();

    /// <summary>Keeps the blob at least <paramref name="ttl"/> from now (never shortens), on the record and every reachable holder.</summary>
    /// <returns>The new location and record; null if the cluster has no such blob.</returns>
    /// <exception cref="BlobGrainException">410 the blob expired.</exception>
    Task<BlobLocation?> ExtendAsync(TimeSpan ttl);

    /// <summary>Deletes the blob: a tombstone first, then every reachable copy. False if the cluster has no such blob.</summary>
    Task<bool> DeleteAsync();
}
