using Granary.Blobs.Protocol;

using Granary.Hashing;

namespace Granary.Storage.Blobs;

/// <summary>
/// One store's blob metadata, kept apart from the bytes: <see cref="SqliteBlobMetadataStore"/> on
/// every silo, alone or in a cluster (a cluster's record of a blob is its grain's state, not this
/// row); tests may pass their own to <see cref="BlobStore.OpenAsync"/>.
/// </summary>
public interface IBlobMetadataStore : IAsyncDisposable
{
    /// <summary>The blob's row, or null.</summary>
    Task<BlobInfo?> GetAsync(Blake3Hash hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a blob; if it is already recorded, keeps its creation time and moves its expiry to
    /// the later of the two. Returns the row as stored.
    /// </summary>
    Task<BlobInfo> UpsertAsync(BlobInfo blob, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes an existing row agree with an authoritative record of the same blob (the cluster's):
    /// creation time, uploader and tags become the record's, the expiry the later of the two.
    /// Returns the row as stored, or null if the blob is not recorded here.
    /// </summary>
    Task<BlobInfo?> AdoptAsync(BlobInfo record, CancellationToken cancellationToken = default);

    /// <summary>Moves the expiry to <paramref name="expires"/> if that is later; returns the row, or null if unknown.</summary>
    Task<BlobInfo?> ExtendAsync(Blake3Hash hash, DateTimeOffset expires, CancellationToken cancellationToken = default);

    /// <summary>Forgets a blob (and any damage record of it); false if neither was recorded.</summary>
    Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> blobs whose expiry is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<BlobInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every recorded hash (for reconciling with the files after a crash).</summary>
    Task<IReadOnlyList<Blake3Hash>> AllHashesAsync(CancellationToken cancellationToken = default);

    /// <summary>How many blobs are recorded and their total size in bytes.</summary>
    Task<(long Blobs, long Bytes)> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> blobs last verified (scrubbed, or stored, which verifies too)
    /// at or before <paramref name="verifiedBefore"/>, longest unverified first.
    /// </summary>
    Task<IReadOnlyList<BlobInfo>> DueForScrubAsync(DateTimeOffset verifiedBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>Records that the blob's copy verified at <paramref name="at"/>; nothing if it is not recorded.</summary>
    Task MarkScrubbedAsync(Blake3Hash hash, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the blob's row to the damaged list in one transaction (so it is no longer served,
    /// listed or counted); false if it was not recorded. Storing the blob again clears the mark.
    /// </summary>
    Task<bool> MarkDamagedAsync(Blake3Hash hash, DateTimeOffset at, string reason, CancellationToken cancellationToken = default);

    /// <summary>The blob's damage record if its copy here failed verification (and it was not stored again since), else null.</summary>
    Task<BlobDamage?> DamageAsync(Blake3Hash hash, CancellationToken cancellationToken = default);

    /// <summary>Every blob whose copy here is marked damaged now, oldest finding first.</summary>
    Task<IReadOnlyList<BlobDamage>> ListDamagedAsync(CancellationToken cancellationToken = default);
}
