namespace Granary.Fuzz.Tests;

/// <summary>One input for a parser of text (a ticket, a check line, a voucher line): the text, and whether it is an unedited valid one.</summary>
/// <param name="Text">The input.</param>
/// <param name="Valid">True if a valid value's own text form, unedited.</param>
public sealed record TextInput(string Text, bool Valid)
{
    /// <summary>The input's size in bytes, for the allocation bound (UTF-16).</summary>
    public long Size => 2L * Text.Length;

    /// <inheritdoc/>
    public override string ToString() => $"{(Valid ? "valid" : "mutated")}: {Printer.Text(Text)}";
}
