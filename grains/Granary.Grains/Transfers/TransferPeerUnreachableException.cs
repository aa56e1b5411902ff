namespace Granary.Grains.Transfers;

/// <summary>None of the other side's silos answered a transfer message in time (the channel is then Disconnected).</summary>
public sealed class TransferPeerUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransferPeerUnreachableException()
    {
    }

    /// <summary>Creates the exception with a sentence naming the silos tried.</summary>
    public TransferPeerUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a sentence and the last failure.</summary>
    public TransferPeerUnreachableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
