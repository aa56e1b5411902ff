using Granary.Storage.Blobs;

namespace Granary.Storage.Scrub;

/// <summary>What one scrub of a store (<see cref="BlobScrubber.ScrubAllAsync"/>) found.</summary>
/// <param name="Checked">Blobs re-verified.</param>
/// <param name="Bytes">Bytes of data read.</param>
/// <param name="Damaged">The blobs whose copy failed and was quarantined.</param>
/// <param name="Restored">How many of those the cluster brought back to R verified copies (0 for a silo alone).</param>
/// <param name="StillDamaged">Every blob still marked damaged here after the scrub (found now or earlier, not restored or stored again).</param>
/// <param name="Unread">Blobs the scrub could not finish reading (a read error midway, not a verdict): tried again later.</param>
public sealed record ScrubReport(long Checked, long Bytes, IReadOnlyList<BlobDamage> Damaged, int Restored, IReadOnlyList<BlobDamage> StillDamaged, int Unread);
