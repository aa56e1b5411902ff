using Granary.Blobs.Protocol;

namespace Granary.Transfers.Messages;

/// <summary>A control message (<c>pause</c>, <c>resume</c>, <c>cancel</c>, <c>finish</c>, <c>complete</c>), with an optional reason.</summary>
public sealed record TransferControl(ulong TransferId, TransferControlKind Kind) : TransferMessage(TransferId)
{
    /// <summary>The ops of the control messages.</summary>
    public static readonly IReadOnlySet<string> Ops = Enum.GetNames<TransferControlKind>().Select(n => n.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// True if the initiator sends it (the default), false for the responder: the receiver looks the
    /// channel up on its own other side, and <see cref="Channels.ChannelProtocol.EventOf"/> needs it.
    /// </summary>
    public bool FromInitiator { get; init; } = true;

    /// <summary>Why (a cancel's reason); at most 1024 characters are kept.</summary>
    public string? Message { get; init; }

    /// <inheritdoc/>
    public override MetadataBlock ToBlock()
    {
        List<KeyValuePair<string, object>> fields = Fields(Kind.ToString().ToLowerInvariant());
        fields.Add(new("from", FromInitiator ? "initiator" : "responder"));
        if (Message is { Length: > 0 } message)
        {
            fields.Add(new("message", message.Length > 1024 ? message[..1024] : message));
        }

        return new MetadataBlock(fields);
    }
}
