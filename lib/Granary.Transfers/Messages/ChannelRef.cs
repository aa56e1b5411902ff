using System.Globalization;
using Granary.Transport;

namespace Granary.Transfers.Messages;

/// <summary>
/// How a user names a channel: its transfer id alone for a channel this cluster opened (the
/// initiator's side), or <c>INITIATOR/ID</c> for one another node opened here (the responder's side).
/// </summary>
/// <param name="TransferId">The initiator's number for the channel.</param>
/// <param name="Initiator">The initiator's node id for a responder's side; null for an initiator's side.</param>
public readonly record struct ChannelRef(ulong TransferId, NodeId? Initiator = null)
{
    /// <summary>Reads <c>ID</c> or <c>INITIATOR/ID</c> (also <c>INITIATOR:RESPONDER:ID</c>, a full channel id, as the responder's side).</summary>
    /// <exception cref="FormatException">Neither form.</exception>
    public static ChannelRef Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        string[] parts = trimmed.Split('/', ':');
        string number = parts[^1];
        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong id) || id > long.MaxValue)
        {
            throw new FormatException($"'{text}' does not name a channel: give its transfer id (a whole number, as 'granary transfer list' prints it) or INITIATOR/ID for a channel another node opened here.");
        }

        if (parts.Length == 1)
        {
            return new ChannelRef(id);
        }

        return parts.Length is 2 or 3 && NodeId.TryParse(parts[0], out NodeId initiator)
            ? new ChannelRef(id, initiator)
            : throw new FormatException($"'{text}' does not name a channel: before the transfer id comes the initiator's node id (52 characters of a-z and 2-7), as INITIATOR/ID.");
    }

    /// <summary>The side this names.</summary>
    public Channels.ChannelSide Side => Initiator is null ? Channels.ChannelSide.Initiator : Channels.ChannelSide.Responder;

    /// <inheritdoc/>
    public override string ToString() => Initiator is { } node ? $"{node}/{TransferId.ToString(CultureInfo.InvariantCulture)}" : TransferId.ToString(CultureInfo.InvariantCulture);
}
