using System.Net;
using System.Net.Sockets;
using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Blobs.Commands;

/// <summary>
/// Turns what a user has in hand into a <see cref="SiloTicket"/>: a ticket (as a silo prints it and
/// writes it to DATA/silo.ticket; a blob ticket names its silo too), or an address plus the node id
/// that <c>granary cluster status</c> lists. Each wrong form gets its own sentence saying what to
/// pass instead, since "not a ticket" alone does not tell a user which of the two forms they need.
/// </summary>
public static class SiloTicketReader
{
    private const string Prefix = "granary:";

    /// <summary>Parses a silo or blob ticket, <c>granary:NODE@IP:PORT[/HASH]</c>.</summary>
    /// <exception cref="GranaryCommandException">InvalidArgument, naming the part that is wrong.</exception>
    public static SiloTicket Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw Invalid(text, "The ticket is empty: pass a silo's ticket (granary:NODE@IP:PORT, in its DATA/silo.ticket).");
        }

        if (!trimmed.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw Invalid(text, IPEndPoint.TryParse(trimmed, out _) || trimmed.Contains(':', StringComparison.Ordinal)
                ? $"'{trimmed}' is an address, not a ticket: pass -Address {trimmed} -NodeId NODE (NODE as 'granary cluster status' lists it), or the silo's ticket (granary:NODE@IP:PORT, in its DATA/silo.ticket)."
                : $"'{trimmed}' is not a silo ticket: a ticket is granary:NODE@IP:PORT, as the silo prints it when ready and writes it to DATA/silo.ticket.");
        }

        int at = trimmed.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            throw Invalid(text, $"'{trimmed}' has no '@': a ticket is granary:NODE@IP:PORT.");
        }

        string node = trimmed[Prefix.Length..at];
        if (!NodeId.TryParse(node, out _))
        {
            throw Invalid(text, $"The node id '{node}' in the ticket is not one: a node id is 52 characters of a-z and 2-7.");
        }

        string address = trimmed[(at + 1)..];
        int slash = address.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            address = address[..slash];
        }

        if (!IPEndPoint.TryParse(address, out IPEndPoint? endpoint) || endpoint.Port == 0)
        {
            throw Invalid(text, $"The address '{address}' in the ticket is not IP:PORT (a port from 1 to 65535).");
        }

        return SiloTicket.Parse(trimmed);
    }

    /// <summary>
    /// The ticket of the silo at <paramref name="address"/> (HOST:PORT or IP:PORT; a host name is
    /// looked up, its first address used) whose node id is <paramref name="nodeId"/>. The node id is
    /// what makes the connection safe: the silo must prove it, as with a ticket.
    /// </summary>
    /// <exception cref="GranaryCommandException">InvalidArgument (malformed address or node id), Unreachable (a host name that does not resolve).</exception>
    public static async Task<SiloTicket> FromAddressAsync(string address, string nodeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(nodeId);
        string trimmedNode = nodeId.Trim();
        if (!NodeId.TryParse(trimmedNode, out NodeId node))
        {
            throw Invalid(nodeId, trimmedNode.StartsWith(Prefix, StringComparison.Ordinal)
                ? $"-NodeId takes the node id alone, not a ticket: for '{trimmedNode}' use -Ticket instead."
                : $"'{trimmedNode}' is not a node id: a node id is 52 characters of a-z and 2-7, as 'granary cluster status' lists it under NODE.");
        }

        string trimmed = address.Trim();
        if (IPEndPoint.TryParse(trimmed, out IPEndPoint? endpoint) && trimmed.Contains(':', StringComparison.Ordinal))
        {
            return endpoint.Port is > 0 and <= 65535
                ? new SiloTicket(node, endpoint)
                : throw Invalid(address, $"The port in '{trimmed}' must be from 1 to 65535.");
        }

        int colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(trimmed.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw Invalid(address, $"'{trimmed}' is not HOST:PORT (a port from 1 to 65535), e.g. 10.0.0.1:4433 or silo1.example:4433.");
        }

        string host = trimmed[..colon];
        IPAddress[] found;
        try
        {
            found = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException error)
        {
            throw new GranaryCommandException(new(CommandErrorKind.Unreachable, $"The host name '{host}' could not be looked up: {error.Message}.", address, error));
        }

        IPAddress? chosen = found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.FirstOrDefault();
        return chosen is null
            ? throw new GranaryCommandException(new(CommandErrorKind.Unreachable, $"The host name '{host}' has no address.", address))
            : new SiloTicket(node, new IPEndPoint(chosen, port));
    }

    private static GranaryCommandException Invalid(string target, string message) =>
        new(new CommandError(CommandErrorKind.InvalidArgument, message, target));
}
