namespace Granary.Fuzz.Tests;

/// <summary>How a fuzz frame was made, so a check knows what to expect of it.</summary>
public enum FrameKind
{
    /// <summary>A valid message as its record encodes it: must parse and encode back to the same bytes.</summary>
    Valid,

    /// <summary>Well-formed framing and bencode, fields edited (<see cref="FieldMutation"/>).</summary>
    FieldMutated,

    /// <summary>Bencode bytes edited, then framed with their true length (gets past the length check).</summary>
    BodyMutated,

    /// <summary>The whole frame edited, the length prefix included.</summary>
    FrameMutated,

    /// <summary>Random bytes, or a random bencode value framed.</summary>
    Raw,
}
