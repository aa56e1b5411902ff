using Granary.Hashing;

namespace Granary.Storage.Blobs;

/// <summary>A blob whose copy on this silo failed verification and was quarantined (see <see cref="Scrub.BlobScrubber"/>).</summary>
/// <param name="Hash">The blob.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Found">When the damage was found.</param>
/// <param name="Reason">What did not verify, in words (data, outboard, size).</param>
public sealed record BlobDamage(Blake3Hash Hash, long Size, DateTimeOffset Found, string Reason);
