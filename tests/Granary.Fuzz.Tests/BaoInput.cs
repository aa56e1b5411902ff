using Granary.Hashing;
using Granary.Hashing.Verified;

namespace Granary.Fuzz.Tests;

/// <summary>A verified encoding as a silo would send it for <see cref="Ranges"/> of a blob, the size the silo claims, and the bytes that actually arrive.</summary>
/// <param name="Data">The blob.</param>
/// <param name="Root">Its hash: what the client asked for, so this is never wrong.</param>
/// <param name="Ranges">The chunks asked for.</param>
/// <param name="ClaimedSize">The size the reply block claims (usually the truth).</param>
/// <param name="Arriving">The encoding as it arrives: edited, or as sent.</param>
/// <param name="Genuine">True if <paramref name="Arriving"/> is the true encoding and the claimed size the true size.</param>
public sealed record BaoInput(byte[] Data, Blake3Hash Root, ChunkRanges Ranges, long ClaimedSize, byte[] Arriving, bool Genuine)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{(Genuine ? "genuine" : "edited")} encoding of {Ranges} of a {Data.Length}-byte blob claimed as {ClaimedSize} bytes, root {Root}: {Printer.Bytes(Arriving.AsSpan(0, Math.Min(Arriving.Length, 400)))}";
}
