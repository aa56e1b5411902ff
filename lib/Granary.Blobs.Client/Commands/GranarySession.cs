using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Blobs.Commands;

/// <summary>
/// A connection to a cluster: the silos the user named (tickets), the token, and one
/// authenticated client to the first silo that answered. Connect-GranaryCluster makes one and
/// keeps it as the default for the other cmdlets; dispose (Disconnect-GranaryCluster) to close it.
/// </summary>
public sealed class GranarySession : IAsyncDisposable
{
    private readonly string _token;

    private GranarySession(IReadOnlyList<SiloTicket> silos, string token, BlobClient client)
    {
        Silos = silos;
        _token = token;
        Client = client;
    }

    /// <summary>The silos given at connect time.</summary>
    public IReadOnlyList<SiloTicket> Silos { get; }

    /// <summary>The silo this session talks to.</summary>
    public SiloTicket Silo => Client.Silo;

    /// <summary>When the session was opened.</summary>
    public DateTimeOffset Connected { get; } = DateTimeOffset.UtcNow;

    /// <summary>False once disposed.</summary>
    public bool IsOpen { get; private set; } = true;

    internal BlobClient Client { get; }

    /// <summary>Parses <paramref name="tickets"/> (<see cref="SiloTicketReader.Parse"/>) and connects as <see cref="ConnectAsync(IReadOnlyList{SiloTicket}, string, ICommandHost)"/>.</summary>
    /// <exception cref="GranaryCommandException">A ticket does not parse, the token is refused, or no silo answers.</exception>
    public static Task<GranarySession> ConnectAsync(IEnumerable<string> tickets, string token, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        return ConnectAsync(tickets.Select(SiloTicketReader.Parse).ToList(), token, host);
    }

    /// <summary>
    /// Connects to the first of <paramref name="silos"/> that answers and accepts
    /// <paramref name="token"/>; a silo that is down is skipped (with a verbose note).
    /// </summary>
    /// <exception cref="GranaryCommandException">No silo given, the token is refused, or no silo answers.</exception>
    public static async Task<GranarySession> ConnectAsync(IReadOnlyList<SiloTicket> silos, string token, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(host);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, "No token: pass -Credential or -TokenFile (the cluster's admin.token), or set GRANARY_TOKEN.", null));
        }

        if (silos.Count == 0)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, "No silo given: pass a ticket (-Ticket), -TicketFile, or -Address with -NodeId.", null));
        }

        var problems = new List<string>();
        int impostors = 0;
        foreach (SiloTicket silo in silos)
        {
            try
            {
                BlobClient client = await BlobClient.ConnectAsync(silo, token.Trim(), host.CancellationToken).ConfigureAwait(false);
                host.Verbose($"Connected to {silo}.");
                return new GranarySession(silos, token.Trim(), client);
            }
            catch (BlobProtocolException error) when (error.Status == BlobStatus.Unauthorized)
            {
                throw new GranaryCommandException(new(CommandErrorKind.Unauthorized, $"Silo {silo.Node} refused the token. Use the cluster's admin.token.", silo, error));
            }
            catch (QuicException error)
            {
                // A handshake failure here is the peer failing to prove the node id we asked for:
                // something answered, but not that silo.
                impostors += error.Error == QuicError.HandshakeFailed ? 1 : 0;
                host.Verbose($"Silo {silo} could not be used: {error.Message}");
                problems.Add($"{silo.Node}: {error.Message}");
            }
        }

        string detail = silos.Count == 1 ? $"Silo {problems[0]}." : $"None of the {silos.Count} silos could be used: {string.Join("; ", problems)}.";
        throw new GranaryCommandException(impostors == silos.Count
            ? new(CommandErrorKind.Unauthorized, $"{detail} Check the node id (-NodeId, or the ticket): the silo there proved another identity.", silos) { Reason = detail }
            : new(CommandErrorKind.Unreachable, detail, silos));
    }

    /// <summary>A client of this session's silo's transfer commands (<c>granary/transfer/1</c>) with the session's token; the caller disposes it.</summary>
    /// <exception cref="QuicException">The silo could not be reached.</exception>
    public Task<Granary.Blobs.Client.Transfers.TransferClient> ConnectTransfersAsync(CancellationToken cancellationToken) =>
        Granary.Blobs.Client.Transfers.TransferClient.ConnectAsync(Silo, _token, cancellationToken);

    /// <summary>A client of this session's silo's gossip topics (<c>granary/topics/1</c>) with the session's token; the caller disposes it.</summary>
    /// <exception cref="QuicException">The silo could not be reached.</exception>
    public Task<Granary.Blobs.Client.Gossip.GossipClient> ConnectGossipAsync(CancellationToken cancellationToken) =>
        Granary.Blobs.Client.Gossip.GossipClient.ConnectAsync(Silo, _token, cancellationToken);

    /// <summary>A client of another silo with this session's token (for multi-provider downloads); the caller disposes it.</summary>
    internal Task<BlobClient> ConnectToAsync(SiloTicket silo, CancellationToken cancellationToken) =>
        BlobClient.ConnectAsync(silo, _token, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            IsOpen = false;
            await Client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Granary session to {Silo}";
}
