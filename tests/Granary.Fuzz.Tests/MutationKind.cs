namespace Granary.Fuzz.Tests;

/// <summary>The edits a mutation makes to a valid message (bytes or text).</summary>
public enum MutationKind
{
    /// <summary>Flip one bit.</summary>
    FlipBit,

    /// <summary>Overwrite one byte (or character) with an interesting value.</summary>
    SetValue,

    /// <summary>Insert a token of the format (<c>e</c>, <c>l</c>, <c>i0e</c>, <c>99999:</c>, <c>@</c>, …), sometimes many times (nesting).</summary>
    InsertToken,

    /// <summary>Insert random bytes.</summary>
    InsertRandom,

    /// <summary>Delete a run.</summary>
    Delete,

    /// <summary>Cut the message short.</summary>
    Truncate,

    /// <summary>Repeat a run right after itself (a repeated key, a doubled list item).</summary>
    Duplicate,

    /// <summary>Replace a run of decimal digits (a length prefix, an integer, a port) with an extreme number: length-field inflation.</summary>
    ReplaceNumber,

    /// <summary>Join the start of this message to the end of another.</summary>
    Splice,
}
