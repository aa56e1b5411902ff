using Granary.Transport;

namespace Granary.Blobs.Server;

/// <summary>Who may use a silo's blobs protocol, and how long it waits for them.</summary>
public sealed class BlobsServerOptions
{
    /// <summary>The token clients present (<see cref="Protocol.AuthRequest"/>) before any other request. Required, not empty.</summary>
    public required string AdminToken { get; set; }

    /// <summary>Nodes (other silos) that need no token: their key, proven in the handshake, is enough. Default: none.</summary>
    public IReadOnlySet<NodeId> TrustedNodes { get; set; } = new HashSet<NodeId>();

    /// <summary>How long a client may take to send a request's metadata block before it is answered 400. Default: 30 s; more than zero.</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown, how long a connection whose requests were reset stays open for its client to
    /// read the resets and leave. Default: 2 s; zero or more (the router's own drain limit still applies).
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Serve reads only (get, get-collection, info, locate, observe): a client's seeder
    /// (<c>granary serve</c>) shares what it downloaded, nothing more. Writes, deletes, extends and
    /// cluster commands are refused (403). Default: false (a silo).
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>Checks the options; the handler calls it when it is created.</summary>
    /// <exception cref="ArgumentException">A value out of range; the message names the option and what is allowed.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(AdminToken))
        {
            throw new ArgumentException("BlobsServerOptions.AdminToken is empty: a silo needs a token for clients to present (its admin.token file).");
        }

        if (TrustedNodes is null)
        {
            throw new ArgumentException("BlobsServerOptions.TrustedNodes is null: give an empty set for no trusted nodes.");
        }

        if (HeaderTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"BlobsServerOptions.HeaderTimeout is {HeaderTimeout}; it must be more than zero (default 30 s).");
        }

        if (ShutdownGrace < TimeSpan.Zero)
        {
            throw new ArgumentException($"BlobsServerOptions.ShutdownGrace is {ShutdownGrace}; it must be zero or more (default 2 s).");
        }
    }
}
