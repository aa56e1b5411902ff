namespace Granary.Fuzz.Tests;

/// <summary>A client's <c>ranges</c> (or a silo's <c>present</c>) as the wire carries them, and the size of the blob they are applied to.</summary>
/// <param name="Boundaries">The boundary list: strictly increasing when valid; here also unsorted, repeated, negative, at the type's edges.</param>
/// <param name="BlobSize">The blob's size the silo normalizes them against.</param>
/// <param name="Valid">True if a valid range set's own boundaries, unedited.</param>
public sealed record RangesInput(long[] Boundaries, long BlobSize, bool Valid)
{
    /// <summary>The input's size in bytes, for the allocation bound.</summary>
    public long Size => (8L * Boundaries.Length) + 16;

    /// <inheritdoc/>
    public override string ToString() => $"{(Valid ? "valid" : "edited")} [{string.Join(", ", Boundaries)}] of a {BlobSize}-byte blob";
}
