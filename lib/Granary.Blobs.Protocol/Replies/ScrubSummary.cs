using Granary.Hashing;

namespace Granary.Blobs.Protocol;

/// <summary>The reply to <c>scrub</c>: what one silo's scrub found.</summary>
/// <param name="Checked">Blobs re-verified.</param>
/// <param name="Bytes">Bytes of data read.</param>
/// <param name="DamagedCount">Copies that failed and were quarantined (all of them, even beyond <see cref="MaxListed"/>).</param>
/// <param name="Restored">How many of those the cluster brought back from healthy replicas.</param>
/// <param name="Damaged">The first <see cref="MaxListed"/> damaged blobs and what failed, in words.</param>
public sealed record ScrubSummary(long Checked, long Bytes, long DamagedCount, long Restored, IReadOnlyList<(Blake3Hash Hash, string Reason)> Damaged) : BlobReply, IBlobReply<ScrubSummary>
{
    /// <summary>Blobs still marked damaged on the silo after the scrub, found now or before (quarantined, refused with 481). Default 0.</summary>
    public long StillDamaged { get; init; }

    /// <summary>Blobs whose reading failed midway (not a verdict; the background scrub tries them again). Default 0.</summary>
    public long Unread { get; init; }

    /// <summary>The most damaged blobs one reply lists: 100 (a metadata block is bounded).</summary>
    public const int MaxListed = 100;

    /// <summary>The longest reason one entry carries: 200 characters.</summary>
    public const int MaxReason = 200;

    /// <inheritdoc/>
    public static ScrubSummary Parse(MetadataBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        IReadOnlyList<MetadataBlock> damaged = block.Blocks("damaged") ?? [];
        if (damaged.Count > MaxListed)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"a scrub reply lists {damaged.Count} damaged blobs; at most {MaxListed} are allowed");
        }

        return new(
            block.Number("checked") ?? 0,
            block.Number("bytes") ?? 0,
            block.Number("damaged-count") ?? damaged.Count,
            block.Number("restored") ?? 0,
            [.. damaged.Select(d => (d.RequiredHash("hash", "a damaged entry"), d.Text("reason") ?? string.Empty))])
        {
            StillDamaged = block.Number("still-damaged") ?? 0,
            Unread = block.Number("unread") ?? 0,
        };
    }

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, object>> Fields() =>
    [
        new("checked", Checked), new("bytes", Bytes), new("damaged-count", DamagedCount), new("restored", Restored),
        new("still-damaged", StillDamaged), new("unread", Unread),
        new("damaged", Damaged.Take(MaxListed).Select(d => (object)new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["hash"] = d.Hash.ToArray(),
            ["reason"] = d.Reason.Length > MaxReason ? d.Reason[..MaxReason] : d.Reason,
        }).ToList()),
    ];
}
