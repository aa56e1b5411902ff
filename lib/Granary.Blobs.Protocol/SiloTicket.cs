using System.Net;
using Granary.Transport;

namespace Granary.Blobs.Protocol;

/// <summary>Where a silo is: its node id and address. Printed <c>granary:NODEID@ADDRESS</c>.</summary>
public sealed record SiloTicket(NodeId Node, IPEndPoint Address)
{
    private const string Prefix = "granary:";

    /// <summary>Parses a silo or blob ticket (a blob ticket's hash is ignored).</summary>
    /// <exception cref="FormatException">Not a ticket; the message shows the expected form.</exception>
    public static SiloTicket Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string body = text.Trim();
        int slash = body.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            body = body[..slash];
        }

        int at = body.IndexOf('@', StringComparison.Ordinal);
        if (!body.StartsWith(Prefix, StringComparison.Ordinal) || at < 0
            || !NodeId.TryParse(body[Prefix.Length..at], out NodeId node) || !IPEndPoint.TryParse(body[(at + 1)..], out IPEndPoint? address) || address.Port == 0)
        {
            throw new FormatException($"'{text}' is not a silo ticket: expected granary:<node id>@<ip>:<port> (the silo prints it when ready, and writes it to silo.ticket).");
        }

        return new SiloTicket(node, address);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Prefix}{Node}@{Address}";
}
