using Granary.Hashing.Verified;

namespace Granary.Blobs.Client;

/// <summary>
/// What re-verifying an earlier attempt's partial file found (<see cref="BlobDownload.VerifyPartialAsync"/>):
/// which bytes are kept, what to fetch, and how much of what was recorded no longer verified.
/// </summary>
public sealed class PartialCheck
{
    private readonly IReadOnlyList<(long Start, long End)> _kept;

    private PartialCheck(IReadOnlyList<(long Start, long End)> kept, long discarded, ChunkRanges missing)
    {
        _kept = kept;
        Discarded = discarded;
        Missing = missing;
        Kept = kept.Sum(r => r.End - r.Start);
        Prefix = KeptRunEndingAt(0);
    }

    /// <summary>Nothing kept: fetch everything.</summary>
    public static PartialCheck Nothing { get; } = new([], 0, ChunkRanges.All);

    /// <summary>Bytes kept, re-verified against the hash tree.</summary>
    public long Kept { get; }

    /// <summary>Recorded bytes that no longer verified (or were missing from the file) and are fetched again.</summary>
    public long Discarded { get; }

    /// <summary>The chunks to fetch: everything not kept (always including the last block, which proves the size).</summary>
    public ChunkRanges Missing { get; }

    /// <summary>Bytes [0, Prefix) are kept without a gap: what the resume record may claim now.</summary>
    public long Prefix { get; }

    /// <summary>The byte ranges kept, in order.</summary>
    public IReadOnlyList<(long Start, long End)> KeptRanges => _kept;

    /// <summary>Builds the result from the verified block runs (in order) of a download of which <paramref name="claimedBytes"/> were recorded.</summary>
    public static PartialCheck From(IReadOnlyList<(long First, long Blocks)> verified, long claimedBytes)
    {
        ArgumentNullException.ThrowIfNull(verified);
        var kept = verified.Select(run => (run.First * BaoTree.BlockSize, (run.First + run.Blocks) * BaoTree.BlockSize)).ToList();
        ChunkRanges keptChunks = ChunkRanges.Empty;
        foreach (var run in verified)
        {
            keptChunks |= ChunkRanges.Range((ulong)run.First * BaoTree.ChunksPerBlock, (ulong)(run.First + run.Blocks) * BaoTree.ChunksPerBlock);
        }

        return new PartialCheck(kept, claimedBytes - kept.Sum(r => r.Item2 - r.Item1), ChunkRanges.All.Difference(keptChunks));
    }

    /// <summary>Where the run of kept ranges that starts at <paramref name="offset"/> ends.</summary>
    private long KeptRunEndingAt(long offset)
    {
        foreach (var (start, end) in _kept)
        {
            if (start == offset)
            {
                offset = end;
            }
        }

        return offset;
    }
}
