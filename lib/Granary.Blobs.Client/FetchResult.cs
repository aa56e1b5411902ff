using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Blobs.Client;

/// <summary>What <see cref="FetchPlan.DownloadAsync"/> wrote.</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Path">The file written, or for a collection the directory.</param>
/// <param name="Size">Bytes of the blob (for a collection, of the collection blob itself).</param>
/// <param name="IsCollection">True when the blob was a collection and <paramref name="Path"/> is a directory.</param>
/// <param name="Providers">The silos the download used.</param>
public sealed record FetchResult(Blake3Hash Hash, string Path, long Size, bool IsCollection, IReadOnlyList<SiloTicket> Providers)
{
    /// <summary>Leading bytes of a file kept from an earlier attempt's PATH.partial, re-verified (see <see cref="FileDownloadResult.Resumed"/>).</summary>
    public long Resumed { get; init; }

    /// <summary>Bytes an earlier attempt had recorded that no longer verified and were fetched again.</summary>
    public long Discarded { get; init; }

    /// <summary>Verified bytes each provider delivered in this attempt (for a collection: the files' bytes; a single provider's own download counts what it fetched).</summary>
    public IReadOnlyDictionary<SiloTicket, long> BytesByProvider { get; init; } = new Dictionary<SiloTicket, long>();

    /// <summary>What the user should be told (the blob only looked like a collection, an ignored record, bytes fetched again), one clause each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Providers dropped because a request failed (unreachable, refusing, or sending bytes that did
    /// not verify), and why: the others finished their work. Those that could not even be connected
    /// to are in <see cref="FetchPlan.Skipped"/>.
    /// </summary>
    public IReadOnlyDictionary<SiloTicket, string> Dropped { get; init; } = new Dictionary<SiloTicket, string>();
}
