namespace Granary.Fuzz.Tests;

/// <summary>One frame for a metadata-block parser: its bytes, how it was made, and how the stream hands them over.</summary>
/// <param name="Bytes">What the peer sends.</param>
/// <param name="Kind">How it was made.</param>
/// <param name="Chunk">Most bytes one read returns (a slow peer's trickle); 0 for all at once.</param>
public sealed record FrameInput(byte[] Bytes, FrameKind Kind, int Chunk)
{
    /// <summary>A stream that delivers the bytes as a peer would.</summary>
    public Stream Open() => Chunk > 0 ? new TrickleStream(Bytes, Chunk) : new MemoryStream(Bytes, writable: false);

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}{(Chunk > 0 ? $" in reads of {Chunk}" : string.Empty)}: {Printer.Bytes(Bytes)}";
}
