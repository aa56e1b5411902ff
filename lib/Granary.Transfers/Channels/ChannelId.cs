using System.Globalization;
using Granary.Transport;

namespace Granary.Transfers.Channels;

/// <summary>
/// A channel's identity, as go-data-transfer's <c>ChannelID</c>: the initiator's node id, the
/// responder's node id and a transfer id the initiator chose (unique among its channels).
/// Printed <c>INITIATOR:RESPONDER:TRANSFERID</c> (node ids in their 52-character form, the id in decimal).
/// </summary>
/// <param name="Initiator">The node that opened the channel.</param>
/// <param name="Responder">The node that accepted (or refused) it.</param>
/// <param name="TransferId">The initiator's number for it.</param>
public readonly record struct ChannelId(NodeId Initiator, NodeId Responder, ulong TransferId)
{
    /// <summary>Parses the printed form.</summary>
    /// <exception cref="FormatException">Not INITIATOR:RESPONDER:TRANSFERID; the message names the part that is wrong.</exception>
    public static ChannelId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split(':');
        if (parts.Length != 3)
        {
            throw new FormatException($"'{text}' is not a channel id: expected INITIATOR:RESPONDER:TRANSFERID (two node ids and a number), as 'granary transfer list' prints it.");
        }

        if (!NodeId.TryParse(parts[0], out NodeId initiator))
        {
            throw new FormatException($"The initiator '{parts[0]}' in channel id '{text}' is not a node id (52 characters of a-z and 2-7).");
        }

        if (!NodeId.TryParse(parts[1], out NodeId responder))
        {
            throw new FormatException($"The responder '{parts[1]}' in channel id '{text}' is not a node id (52 characters of a-z and 2-7).");
        }

        if (!ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong transfer))
        {
            throw new FormatException($"The transfer id '{parts[2]}' in channel id '{text}' is not a whole number from 0 to {ulong.MaxValue}.");
        }

        return new ChannelId(initiator, responder, transfer);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Initiator}:{Responder}:{TransferId.ToString(CultureInfo.InvariantCulture)}";
}
