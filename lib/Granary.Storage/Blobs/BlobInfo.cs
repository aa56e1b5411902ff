using Granary.Hashing;

namespace Granary.Storage.Blobs;

/// <summary>What the store knows about one complete blob. Uploading the same content again extends it but keeps the first upload's info and tags.</summary>
/// <param name="Hash">The blob's BLAKE3 hash: its address.</param>
/// <param name="Size">Bytes of data.</param>
/// <param name="Created">When it was first stored.</param>
/// <param name="Expires">When it stops being served; only ever moves forward.</param>
public sealed record BlobInfo(Blake3Hash Hash, long Size, DateTimeOffset Created, DateTimeOffset Expires)
{
    /// <summary>Who first uploaded it (the uploader's node id), if known.</summary>
    public string? Uploader { get; init; }

    /// <summary>The first uploader's tags, in <see cref="BlobTags"/>' canonical text form ("" for none).</summary>
    public string Tags { get; init; } = string.Empty;
}

/// <summary>
/// Tags are short key=value labels an uploader attaches (project, owner, …). They are kept as
/// canonical text — sorted <c>key=value</c> lines — so that blob records compare by value.
/// </summary>
public static class BlobTags
{
    /// <summary>Most tags on one blob.</summary>
    public const int MaxCount = 32;

    /// <summary>Longest key or value, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>The canonical text of <paramref name="tags"/>, checking the limits.</summary>
    /// <exception cref="ArgumentException">Too many, too long, or a key with '=' or a line break.</exception>
    public static string Format(IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxLength || value.Length > MaxLength || key.Contains('=', StringComparison.Ordinal)
                || key.Contains('\n', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Tag '{key}' is not acceptable: keys are 1-{MaxLength} characters without '=' or line breaks, values at most {MaxLength} without line breaks.", nameof(tags));
            }

            sorted[key] = value;
        }

        return sorted.Count <= MaxCount
            ? string.Join('\n', sorted.Select(t => $"{t.Key}={t.Value}"))
            : throw new ArgumentException($"A blob takes at most {MaxCount} tags, not {sorted.Count}.", nameof(tags));
    }

    /// <summary>The tags in canonical text, as key/value pairs.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text) =>
        string.IsNullOrEmpty(text)
            ? new Dictionary<string, string>()
            : text.Split('\n').Select(line => line.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
}

/// <summary>
/// Blob metadata, kept apart from the bytes: SQLite for a single silo
/// (<see cref="SqliteBlobMetadataStore"/>), PostgreSQL for a cluster (the cluster issue).
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

    /// <summary>Forgets a blob; false if it was not recorded.</summary>
    Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> blobs whose expiry is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<BlobInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every recorded hash (for reconciling with the files after a crash).</summary>
    Task<IReadOnlyList<Blake3Hash>> AllHashesAsync(CancellationToken cancellationToken = default);

    /// <summary>How many blobs are recorded and their total size in bytes.</summary>
    Task<(long Blobs, long Bytes)> StatsAsync(CancellationToken cancellationToken = default);
}
