using Granary.Blobs.Protocol;

namespace Granary.Blobs.Client;

/// <summary>
/// A silo keeps a blob at most its longest lifetime (90 days by default) and clamps a longer
/// <c>ttl</c> to it (docs/protocol.md). A user who asked for a year must hear that, not find out
/// when the blob is gone.
/// </summary>
public static class GrantedLifetime
{
    // Clocks and round trips: a granted expiry this close to the one asked for is what was asked.
    private static readonly TimeSpan Slack = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A warning when <paramref name="granted"/> expires earlier than <paramref name="asked"/>
    /// from <paramref name="askedAt"/>; null when the silo granted it (or no lifetime was asked for).
    /// </summary>
    public static string? Shortened(TimeSpan? asked, DateTimeOffset askedAt, BlobInfo granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        if (asked is not { } ttl || ttl == TimeSpan.MaxValue || granted.Expires >= askedAt + ttl - Slack)
        {
            return null;
        }

        TimeSpan kept = granted.Expires - askedAt;
        return $"the silo keeps blobs at most about {Math.Round(kept.TotalDays)} days: {granted.Hash} expires {granted.Expires:yyyy-MM-ddTHH:mm:ssZ}, " +
            $"not {askedAt + ttl:yyyy-MM-ddTHH:mm:ssZ} as asked; extend it again before then";
    }

    /// <summary>
    /// A note when an extend left <paramref name="granted"/> later than <paramref name="asked"/>
    /// from <paramref name="askedAt"/> (expiry never moves earlier, so nothing changed); null when
    /// the extend moved it.
    /// </summary>
    public static string? AlreadyLater(TimeSpan asked, DateTimeOffset askedAt, BlobInfo granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        return granted.Expires > askedAt + asked + Slack
            ? $"{granted.Hash} already expires {granted.Expires:yyyy-MM-ddTHH:mm:ssZ}, later than the {askedAt + asked:yyyy-MM-ddTHH:mm:ssZ} asked for: expiry never moves earlier, so it is unchanged (delete the blob to drop it sooner)"
            : null;
    }
}
