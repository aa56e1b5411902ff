using Granary.Storage.Blobs;

namespace Granary.Storage.Scrub;

/// <summary>What one scrub of a store (<see cref="BlobScrubber.ScrubAllAsync"/>) found.</summary>
/// <param name="Checked">Blobs re-verified.</param>
/// <param name="Bytes">Bytes of data read.</param>
/// <param name="Damaged">The blobs whose copy failed and was quarantined.</param>
/// <param name="Restored">How many of those the cluster brought back to R verified copies (0 for a silo alone).</param>
public sealed record ScrubReport(long Checked, long Bytes, IReadOnlyList<BlobDamage> Damaged, int Restored);
