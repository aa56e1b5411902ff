namespace Granary.Fuzz.Tests;

/// <summary>
/// What a fuzz check throws when a parser broke its contract on one input: an undocumented
/// exception, a valid message that did not survive its own encoding, an answer that re-encodes to
/// something it does not read back. The runner adds the seed and the input to the message.
/// </summary>
public sealed class FuzzFindingException : Exception
{
    /// <summary>A finding with a sentence naming the broken rule.</summary>
    public FuzzFindingException(string message)
        : base(message)
    {
    }

    /// <summary>A finding with its cause (the undocumented exception).</summary>
    public FuzzFindingException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>A finding without details.</summary>
    public FuzzFindingException()
        : base("the parser broke its contract")
    {
    }
}
