namespace Granary.Transfers.Messages;

/// <summary>A transfer message that is malformed, oversized or of an unknown kind; the message says which field is wrong.</summary>
public sealed class TransferProtocolException : Exception
{
    /// <summary>Creates one with a sentence naming what is wrong.</summary>
    public TransferProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates one with a sentence and its cause.</summary>
    public TransferProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates one with a generic sentence.</summary>
    public TransferProtocolException()
        : base("The transfer message is malformed.")
    {
    }
}
