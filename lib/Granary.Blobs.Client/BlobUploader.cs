using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// Uploads blobs to the silos they belong on. When the asked silo's cluster places blobs by hash
/// (<see cref="BlobClient.PlacesUploads"/>), each blob is hashed first and offered with
/// <see cref="PutRequest.Place"/>: a silo that is one of the blob's R placement targets takes it,
/// any other answers 307 with the targets before a byte is sent, and the upload goes to the first
/// target that can be reached. The blob then lands where it stays, and the cluster copies it once
/// (to the other target) instead of to both targets and dropping it where it arrived. Against a
/// silo alone, uploads go straight to it, unhashed (nothing to place; the silo hashes as it stores).
/// </summary>
/// <remarks>
/// Issue 17's direction "the client hashes first and sends to the blob's first ideal replica"
/// (see bench/RESULTS.md). A target that cannot be reached or is unavailable is skipped; if none
/// takes the blob, the asked silo stores it and the cluster copies it where it belongs, as without
/// placement. Connections to other silos are opened once and kept until this uploader is disposed.
/// </remarks>
/// <param name="client">The silo asked; not disposed by the uploader.</param>
/// <param name="connect">Opens authenticated clients to the other silos (the uploader disposes them).</param>
public sealed class BlobUploader(BlobClient client, SiloConnector connect) : IAsyncDisposable
{
    private readonly BlobClient _client = client ?? throw new ArgumentNullException(nameof(client));
    private readonly SiloClients _others = new(connect ?? throw new ArgumentNullException(nameof(connect)));
    private readonly Dictionary<NodeId, long> _unreachableUntil = [];
    private readonly Lock _unreachableLock = new();

    /// <summary>
    /// Told, in words, when an upload moves on from the silo it was going to (unreachable, or cut
    /// off mid-way: its progress starts again); null to stay silent. Front ends print it as a note.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>
    /// How long a target that could not be reached is passed over (its blobs go to the next target or
    /// the asked silo at once): 30 s, so that a dead silo costs one connect timeout, not one per upload.
    /// </summary>
    public static TimeSpan UnreachablePause { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Uploads the regular file at <paramref name="path"/> (a link to one is followed) as one blob.</summary>
    /// <param name="path">The file.</param>
    /// <param name="ttl">How long to keep it; null for the silo's default.</param>
    /// <param name="progress">Bytes sent so far (starts again from 0 if the upload moves to another silo).</param>
    /// <param name="tags">Labels kept with the blob.</param>
    /// <param name="cancellationToken">Stops the upload; nothing is acknowledged then.</param>
    /// <returns>The stored blob, durable on R silos.</returns>
    /// <exception cref="IOException">Not a regular file, or it cannot be read.</exception>
    /// <exception cref="BlobProtocolException">Refused by the silo that took the upload (413 too large, 454 the file changed between hashing and sending — the message says so —, 503 fewer than R copies, …).</exception>
    /// <exception cref="QuicException">The asked silo could not be reached.</exception>
    public async Task<BlobInfo> PutFileAsync(
        string path, TimeSpan? ttl = null, IProgress<long>? progress = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        if (!_client.PlacesUploads)
        {
            return await _client.PutFileAsync(path, ttl, progress, tags, cancellationToken).ConfigureAwait(false);
        }

        FileStream file = BlobClient.OpenUploadFile(path);
        await using (file.ConfigureAwait(false))
        {
            var hasher = new Blake3Hasher();
            await hasher.UpdateFromFileAsync(file, Environment.ProcessorCount, cancellationToken: cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            try
            {
                return await PutPlacedAsync(file, file.Length, hasher.Finalize(), ttl, progress, tags, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobProtocolException changed) when (changed.Status is BlobStatus.HashMismatch or BlobStatus.FinBeforeSize or BlobStatus.TooMuchData)
            {
                // Hash and size were taken before sending: only a change to the file in between explains these.
                throw new BlobProtocolException(changed.Status, $"{path} changed while it was being sent (the silo said: {changed.Message}) Send it again once nothing writes to it.");
            }
        }
    }

    /// <summary>
    /// Uploads <paramref name="size"/> bytes of <paramref name="data"/> from its current position.
    /// A seekable stream is hashed first and placed; any other goes to the asked silo.
    /// </summary>
    /// <returns>The stored blob, durable on R silos.</returns>
    /// <exception cref="BlobProtocolException">Refused by the silo that took the upload.</exception>
    /// <exception cref="QuicException">The asked silo could not be reached.</exception>
    public async Task<BlobInfo> PutAsync(
        Stream data, long size, TimeSpan? ttl = null, IProgress<long>? progress = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!_client.PlacesUploads || !data.CanSeek)
        {
            return await _client.PutAsync(data, size, ttl, progress, tags, cancellationToken).ConfigureAwait(false);
        }

        long start = data.Position;
        Blake3Hash hash = await Blake3.HashAsync(data, cancellationToken).ConfigureAwait(false);
        data.Position = start;
        return await PutPlacedAsync(data, size, hash, ttl, progress, tags, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads every file of <paramref name="tree"/> and then the collection that lists them, as
    /// <see cref="BlobClient.PutDirectoryAsync(DirectoryTree, TimeSpan?, IProgress{long}?, CancellationToken)"/>
    /// does, each blob (files and the collection) placed where it belongs.
    /// </summary>
    /// <param name="tree">The walked directory.</param>
    /// <param name="ttl">How long to keep the blobs; null for the silo's default.</param>
    /// <param name="progress">Bytes sent so far, over all files.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>The collection's blob, the collection, and what was left out.</returns>
    /// <exception cref="BlobProtocolException">Refused by the silo that took one of the blobs.</exception>
    public Task<DirectoryUpload> PutDirectoryAsync(DirectoryTree tree, TimeSpan? ttl = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        BlobClient.PutDirectoryAsync(tree, ttl, progress, (data, size, fileProgress, cancel) => PutAsync(data, size, ttl, fileProgress, null, cancel), cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _others.DisposeAsync();

    private async Task<BlobInfo> PutPlacedAsync(
        Stream data, long size, Blake3Hash hash, TimeSpan? ttl, IProgress<long>? progress, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        long start = data.Position;
        IReadOnlyList<SiloTicket> targets;
        try
        {
            return await _client.PutAsync(new PutRequest(size, ttl, hash, tags) { Place = true }, data, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobProtocolException redirect) when (redirect.Status == BlobStatus.Redirect && redirect.Providers.Count > 0)
        {
            targets = redirect.Providers;
        }

        // The hash is declared to every silo: the one that takes the upload verifies it.
        var request = new PutRequest(size, ttl, hash, tags);
        foreach (SiloTicket target in targets)
        {
            if (Unreachable(target))
            {
                continue;
            }

            try
            {
                BlobClient other = await _others.GetAsync(target, cancellationToken).ConfigureAwait(false);
                data.Position = start;
                return await other.PutAsync(request, data, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (QuicException error) when (!cancellationToken.IsCancellationRequested)
            {
                // Unreachable, gone mid-way or stopping: the next target, then the asked silo. A 503
                // (fewer than R copies) is not retried: the blob is stored there and will be repaired,
                // and sending it again elsewhere would only store more copies.
                Forget(target);
                Notice?.Invoke($"silo {target} could not take {hash} ({SiloUnavailable.Describe(error)}); sending it elsewhere, from the start.");
            }
        }

        data.Position = start;
        return await _client.PutAsync(request, data, progress, cancellationToken).ConfigureAwait(false);
    }

    private bool Unreachable(SiloTicket silo)
    {
        lock (_unreachableLock)
        {
            return _unreachableUntil.TryGetValue(silo.Node, out long until) && Environment.TickCount64 < until;
        }
    }

    /// <summary>Drops the connection to <paramref name="silo"/> and passes it over for <see cref="UnreachablePause"/>.</summary>
    private void Forget(SiloTicket silo)
    {
        lock (_unreachableLock)
        {
            _unreachableUntil[silo.Node] = Environment.TickCount64 + (long)UnreachablePause.TotalMilliseconds;
        }

        _others.Forget(silo);
    }
}
