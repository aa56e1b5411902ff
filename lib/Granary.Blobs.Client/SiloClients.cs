using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// Clients of other silos opened through a <see cref="SiloConnector"/> as they are first needed,
/// one per node, shared by concurrent callers and disposed together: what an upload that follows
/// placement redirects (<see cref="BlobUploader"/>) and a collection download that follows a file's
/// redirect (<see cref="Downloader.Connect"/>) keep for their lifetime.
/// </summary>
/// <param name="connect">Opens an authenticated client of a silo.</param>
internal sealed class SiloClients(SiloConnector connect) : IAsyncDisposable
{
    private readonly Dictionary<NodeId, Task<BlobClient>> _clients = [];
    private readonly Lock _lock = new();

    /// <summary>The client of <paramref name="silo"/>, connecting if there is none (or the last connect failed).</summary>
    /// <exception cref="QuicException">The silo could not be reached.</exception>
    /// <exception cref="BlobProtocolException">The silo refused the token.</exception>
    public Task<BlobClient> GetAsync(SiloTicket silo, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(silo.Node, out Task<BlobClient>? client) || client.IsFaulted || client.IsCanceled)
            {
                client = connect(silo, cancellationToken);
                _clients[silo.Node] = client;
            }

            return client;
        }
    }

    /// <summary>Drops and closes the client of <paramref name="silo"/> (its connection broke).</summary>
    public void Forget(SiloTicket silo)
    {
        Task<BlobClient>? client;
        lock (_lock)
        {
            if (!_clients.Remove(silo.Node, out client))
            {
                return;
            }
        }

        _ = CloseAsync(client);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        List<Task<BlobClient>> clients;
        lock (_lock)
        {
            clients = [.. _clients.Values];
            _clients.Clear();
        }

        foreach (Task<BlobClient> client in clients)
        {
            await CloseAsync(client).ConfigureAwait(false);
        }
    }

    private static async Task CloseAsync(Task<BlobClient> client)
    {
        try
        {
            await (await client.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is QuicException or BlobProtocolException or OperationCanceledException)
        {
            // It never connected: nothing to close.
        }
    }
}
