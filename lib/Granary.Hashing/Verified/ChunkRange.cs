namespace Granary.Hashing.Verified;

/// <summary>One range of chunks: [<see cref="Start"/>, <see cref="End"/>), or from Start on when End is null.</summary>
public readonly record struct ChunkRange(ulong Start, ulong? End)
{
    /// <inheritdoc/>
    public override string ToString() => End is { } end ? $"{Start}..{end}" : $"{Start}..";
}
