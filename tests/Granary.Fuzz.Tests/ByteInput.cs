namespace Granary.Fuzz.Tests;

/// <summary>One input for a parser of bytes (bencode, a collection, a grant): the bytes, and whether they are an unedited valid message.</summary>
/// <param name="Bytes">The input.</param>
/// <param name="Valid">True if a valid message's own encoding, unedited.</param>
public sealed record ByteInput(byte[] Bytes, bool Valid)
{
    /// <inheritdoc/>
    public override string ToString() => $"{(Valid ? "valid" : "mutated")}: {Printer.Bytes(Bytes)}";
}
