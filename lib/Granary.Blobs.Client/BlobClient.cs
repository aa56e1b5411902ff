using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// A client of one silo's blobs protocol: put, get (verified as it streams), info, extend,
/// delete, and resumable downloads to files. This is what the CLI and the PowerShell cmdlets use.
/// </summary>
public sealed class BlobClient : IAsyncDisposable
{
    private const int CopyBufferSize = 1 << 20;
    private readonly QuicEndpoint? _endpoint;
    private readonly QuicConnection _connection;
    private readonly NodeIdentity? _identity;

    private BlobClient(QuicEndpoint? endpoint, QuicConnection connection, NodeIdentity? identity, NodeId self, SiloTicket silo)
    {
        _endpoint = endpoint;
        _connection = connection;
        _identity = identity;
        NodeId = self;
        Silo = silo;
    }

    /// <summary>The silo this client talks to.</summary>
    public SiloTicket Silo { get; }

    /// <summary>This client's node id: what the silo records as the uploader.</summary>
    public NodeId NodeId { get; }

    /// <summary>
    /// The silo said, when this client authenticated, that an upload sent to it may belong on other
    /// silos (<see cref="OkReply.PlacesUploads"/>): <see cref="BlobUploader"/> then hashes first and
    /// sends each blob where it belongs. False for a silo alone and for clients made with <see cref="Over"/>.
    /// </summary>
    public bool PlacesUploads { get; private set; }

    /// <summary>Connects to <paramref name="silo"/> and authenticates with <paramref name="token"/>.</summary>
    /// <exception cref="BlobProtocolException">The token was refused (401).</exception>
    /// <exception cref="QuicException">The silo could not be reached or is not that node.</exception>
    public static async Task<BlobClient> ConnectAsync(SiloTicket silo, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var identity = NodeIdentity.CreateEphemeral();
        var endpoint = QuicEndpoint.Bind(new QuicEndpointOptions
        {
            Identity = identity,
            Bind = new System.Net.IPEndPoint(silo.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? System.Net.IPAddress.IPv6Any : System.Net.IPAddress.Any, 0),
            Transport = QuicTransportOptions.ForPath(silo.Address.Address),
        });
        try
        {
            QuicConnection connection = await endpoint.ConnectAsync(silo.Address, silo.Node, BlobsProtocol.Alpn, cancellationToken).ConfigureAwait(false);
            var client = new BlobClient(endpoint, connection, identity, identity.Id, silo);
            OkReply welcome = await client.RequestAsync<OkReply>(new AuthRequest(Encoding.UTF8.GetBytes(token)), cancellationToken).ConfigureAwait(false);
            client.PlacesUploads = welcome.PlacesUploads;
            return client;
        }
        catch
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
            identity.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A client over an existing <c>granary/blobs/1</c> connection that this client does not own
    /// (a silo talking to another with its own key: members need no token). Disposing it leaves
    /// the connection open.
    /// </summary>
    public static BlobClient Over(QuicConnection connection, SiloTicket silo)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new BlobClient(null, connection, null, default, silo);
    }

    /// <summary>
    /// The silos that hold <paramref name="hash"/>, as the cluster records them; a silo that is not
    /// in a cluster answers with an empty list when it has the blob (meaning: here), 404 when not.
    /// </summary>
    /// <exception cref="BlobProtocolException">No silo holds it (404), or it expired (410).</exception>
    public async Task<IReadOnlyList<SiloTicket>> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken = default)
    {
        BlobDescription reply = await RequestAsync<BlobDescription>(new LocateRequest(hash), cancellationToken).ConfigureAwait(false);
        return reply.Providers;
    }

    /// <summary>The cluster's silos as the silo this client talks to sees them, with each one's blob counts.</summary>
    public Task<ClusterStatus> ClusterStatusAsync(CancellationToken cancellationToken = default) =>
        RequestAsync<ClusterStatus>(new ClusterStatusRequest(), cancellationToken);

    /// <summary>Asks the silo to re-verify every blob it stores now (admin); returns what it found once done.</summary>
    /// <exception cref="BlobProtocolException">Refused: not authenticated (401), or not a silo (405).</exception>
    public Task<ScrubSummary> ScrubAsync(CancellationToken cancellationToken = default) =>
        RequestAsync<ScrubSummary>(new ScrubRequest(), cancellationToken);

    /// <summary>Starts draining <paramref name="silo"/>: it leaves placement, its blobs move away, then it leaves.</summary>
    public async Task DrainAsync(NodeId silo, CancellationToken cancellationToken = default) =>
        await RequestAsync<OkReply>(new ClusterDrainRequest(silo.ToString()), cancellationToken).ConfigureAwait(false);

    /// <summary>Uploads <paramref name="size"/> bytes from <paramref name="data"/>; returns the stored blob once it is durable.</summary>
    public Task<BlobInfo> PutAsync(
        Stream data, long size, TimeSpan? ttl = null, IProgress<long>? progress = null, IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default) =>
        PutAsync(new PutRequest(size, ttl, Tags: tags), data, progress, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> and then the bytes of <paramref name="data"/> up to its end
    /// (<see cref="PutRequest.Size"/> of them); if the request asks to be placed, only after the
    /// silo's go-ahead (<see cref="BlobUploader"/> follows the 307 otherwise). Returns the stored blob
    /// once it is durable (in a cluster: on R silos).
    /// </summary>
    /// <exception cref="BlobProtocolException">The silo refused: 307 for a placed request that belongs elsewhere (nothing was read from <paramref name="data"/>), 454 hash mismatch, 413 too large, 503 fewer than R copies, …</exception>
    public async Task<BlobInfo> PutAsync(PutRequest request, Stream data, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(data);
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await request.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        if (request.Place)
        {
            // The go-ahead, or the 307 naming where the blob belongs (thrown).
            await BlobReply.ReadAsync<OkReply>(stream, cancellationToken).ConfigureAwait(false);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long sent = 0;
            int read;
            while ((read = await data.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                try
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch (QuicException error) when (error.Error == QuicError.StreamAborted)
                {
                    // The silo stopped reading (too much data, too large): its reply says why.
                    break;
                }

                sent += read;
                progress?.Report(sent);
            }

            stream.CompleteWrites();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (await BlobReply.ReadAsync<BlobDescription>(stream, cancellationToken).ConfigureAwait(false)).Blob;
    }

    /// <summary>Uploads a regular file (a link to one is followed).</summary>
    /// <exception cref="IOException">It is not a regular file (a FIFO, device, socket or directory: never opened, so a FIFO cannot hang the upload), or cannot be read.</exception>
    public async Task<BlobInfo> PutFileAsync(
        string path, TimeSpan? ttl = null, IProgress<long>? progress = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        FileStream file = OpenUploadFile(path);
        await using (file.ConfigureAwait(false))
        {
            return await PutAsync(file, file.Length, ttl, progress, tags, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens a regular file to upload (a link to one is followed); anything else is refused unopened, so a FIFO cannot hang an upload.</summary>
    /// <exception cref="IOException">Not a regular file, or it cannot be opened; the message names the path.</exception>
    internal static FileStream OpenUploadFile(string path)
    {
        if (PosixFiles.Stat(path, followLinks: true, out PosixFiles.FileStatus status) == 0 && status.Kind != PosixFiles.FileKind.Regular)
        {
            throw new IOException($"{path} is {PosixFiles.Describe(status.Kind)}: only regular files (and directories, as collections) can be sent. Copy what you want to keep into a file and send that.");
        }

        try
        {
            return PosixFiles.OpenRegularFile(path);
        }
        catch (IOException error)
        {
            throw new IOException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Downloads <paramref name="ranges"/> of a blob (all of it by default) and passes every block
    /// to <paramref name="sink"/> only after verifying it against <paramref name="hash"/>.
    /// </summary>
    /// <exception cref="BaoVerificationException">The silo sent data that does not verify.</exception>
    public Task<BlobInfo> GetAsync(Blake3Hash hash, IBaoSink sink, ChunkRanges? ranges = null, CancellationToken cancellationToken = default) =>
        GetAsync(hash, sink, ranges, channel: null, cancellationToken);

    /// <summary>
    /// As <see cref="GetAsync(Blake3Hash, IBaoSink, ChunkRanges?, CancellationToken)"/>, under the
    /// transfer channel <paramref name="channel"/> (its transfer id) if given: the silo serves it
    /// without a token while that channel runs.
    /// </summary>
    /// <exception cref="BaoVerificationException">The silo sent data that does not verify.</exception>
    /// <exception cref="BlobProtocolException">Refused (403: not this peer's channel or blob; 503: paused or not running).</exception>
    public async Task<BlobInfo> GetAsync(Blake3Hash hash, IBaoSink sink, ChunkRanges? ranges, ulong? channel, CancellationToken cancellationToken = default)
    {
        ranges ??= ChunkRanges.All;
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await new GetRequest(hash, ranges) { Channel = channel }.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        BlobInfo info = (await BlobReply.ReadAsync<BlobDescription>(stream, cancellationToken).ConfigureAwait(false)).Blob;
        if (info.Hash != hash)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"asked for {hash} but the silo described {info.Hash}");
        }

        await BaoDecoder.DecodeAsync(stream, hash, info.Size, ranges, sink, requireEnd: true, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>Downloads a whole blob into <paramref name="output"/>, verified.</summary>
    public Task<BlobInfo> GetToStreamAsync(Blake3Hash hash, Stream output, CancellationToken cancellationToken = default) =>
        GetAsync(hash, new StreamSink(output), ChunkRanges.All, cancellationToken);

    /// <summary>
    /// Walks <paramref name="directory"/> (<see cref="DirectoryTree.Scan"/>: links inside the tree
    /// followed, others skipped) and uploads it as <see cref="PutDirectoryAsync(DirectoryTree, TimeSpan?, IProgress{long}?, CancellationToken)"/> does.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> is not a directory.</exception>
    public Task<DirectoryUpload> PutDirectoryAsync(
        string directory, TimeSpan? ttl = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        PutDirectoryAsync(DirectoryTree.Scan(directory, followSymlinks: false, cancellationToken), ttl, progress, cancellationToken);

    /// <summary>
    /// Uploads every file of <paramref name="tree"/> (each a blob; content already stored is not
    /// stored twice), then the collection that lists them and the empty directories; returns the
    /// collection's blob. A file that cannot be opened when its turn comes is skipped, not fatal:
    /// <see cref="DirectoryUpload.Skipped"/> lists it with the walk's own skips.
    /// </summary>
    /// <param name="tree">The walked directory.</param>
    /// <param name="ttl">How long the silo keeps the blobs (default: the silo's).</param>
    /// <param name="progress">Bytes sent so far, over all files.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    public Task<DirectoryUpload> PutDirectoryAsync(
        DirectoryTree tree, TimeSpan? ttl = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        PutDirectoryAsync(tree, ttl, progress, (data, size, fileProgress, cancel) => PutAsync(data, size, ttl, fileProgress, null, cancel), cancellationToken);

    /// <summary>As <see cref="PutDirectoryAsync(DirectoryTree, TimeSpan?, IProgress{long}?, CancellationToken)"/>, each blob stored by <paramref name="put"/> (<see cref="BlobUploader"/> places them).</summary>
    internal static async Task<DirectoryUpload> PutDirectoryAsync(
        DirectoryTree tree, TimeSpan? ttl, IProgress<long>? progress, Func<Stream, long, IProgress<long>?, CancellationToken, Task<BlobInfo>> put, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var entries = new List<CollectionEntry>();
        var skipped = new List<SkippedEntry>(tree.Skipped);
        long sent = 0;
        foreach (TreeFile file in tree.Files)
        {
            FileStream data;
            try
            {
                data = PosixFiles.OpenRegularFile(file.FullPath);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedEntry(FileNames.Escape(file.Path), error.Message));
                continue;
            }

            long before = sent;
            var fileProgress = progress is null ? null : new InlineProgress<long>(done => progress.Report(before + done));
            BlobInfo blob;
            await using (data.ConfigureAwait(false))
            {
                blob = await put(data, data.Length, fileProgress, cancellationToken).ConfigureAwait(false);
            }

            sent += blob.Size;
            entries.Add(new CollectionEntry(file.Path, blob.Hash, blob.Size));
        }

        // A directory whose every file was skipped at open time would vanish: keep it as a directory.
        var implied = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in entries.Select(e => e.Path).Concat(tree.EmptyDirectories))
        {
            for (int slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                implied.Add(path[..slash]);
            }
        }

        var emptied = tree.Files.Where(f => f.Path.Contains('/', StringComparison.Ordinal)).Select(f => f.Path[..f.Path.LastIndexOf('/')])
            .Where(directory => !implied.Contains(directory)).Distinct(StringComparer.Ordinal);
        var collection = new BlobCollection(entries, tree.EmptyDirectories.Concat(emptied).Order(StringComparer.Ordinal));
        byte[] bytes = collection.Encode();
        BlobInfo stored = await put(new MemoryStream(bytes), bytes.Length, null, cancellationToken).ConfigureAwait(false);
        return new DirectoryUpload(stored, collection, skipped);
    }

    /// <summary>
    /// Downloads a whole collection in one request into <paramref name="directory"/> (created, with
    /// every directory the collection lists): the collection blob, then every file, each verified
    /// against its hash. Entries the silo lacks are returned, not written. Before writing anything
    /// it applies <see cref="DownloadTargets.CheckCollectionAsync"/>: files that exist with other
    /// content are replaced only if <paramref name="overwrite"/>.
    /// </summary>
    /// <exception cref="BlobProtocolException">415 if <paramref name="hash"/> is not a collection.</exception>
    /// <exception cref="TargetExistsException">The download would replace files (nothing was written).</exception>
    public async Task<(BlobCollection Collection, IReadOnlyList<CollectionEntry> Missing)> GetCollectionAsync(
        Blake3Hash hash, string directory, IProgress<long>? progress = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await new GetCollectionRequest(hash).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();

        // One buffered reader for the whole reply: the encodings follow each other on the stream.
        var input = new BufferedStream(stream, 256 * 1024);
        BlobInfo info = (await BlobReply.ReadAsync<BlobDescription>(input, cancellationToken).ConfigureAwait(false)).Blob;
        if (info.Size > BlobCollection.MaxSize)
        {
            throw new BlobProtocolException(BlobStatus.NotACollection, $"the collection {hash} is {info.Size} bytes, more than {BlobCollection.MaxSize}");
        }

        using var collectionBytes = new MemoryStream((int)info.Size);
        await BaoDecoder.DecodeAsync(input, hash, info.Size, ChunkRanges.All, new StreamSink(collectionBytes), requireEnd: false, cancellationToken).ConfigureAwait(false);
        if (!BlobCollection.TryDecode(collectionBytes.ToArray(), out BlobCollection? collection, out string? problem))
        {
            throw new BlobProtocolException(BlobStatus.NotACollection, $"blob {hash} is not a collection: {problem}");
        }

        await DownloadTargets.CheckCollectionAsync(directory, collection!, overwrite, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        foreach (string emptyDirectory in collection!.Directories)
        {
            Directory.CreateDirectory(BlobCollection.Resolve(directory, emptyDirectory));
        }

        var missing = new List<CollectionEntry>();
        long received = 0;
        IReadOnlyDictionary<string, string> partials = DownloadPaths.ForCollection(directory, collection);
        foreach (CollectionEntry entry in collection.Entries)
        {
            BlobReply header = await BlobReply.ReadOrErrorAsync<BlobDescription>(input, cancellationToken).ConfigureAwait(false)
                ?? throw new BlobProtocolException(BlobStatus.Internal, "the silo ended the collection early");
            if (header is not BlobDescription { Blob: var child })
            {
                missing.Add(entry);
                continue;
            }

            long size = child.Size;
            if (child.Hash != entry.Hash || size != entry.Size)
            {
                throw new BlobProtocolException(BlobStatus.BadRequest, $"the silo sent {child.Hash} ({size} bytes) for '{entry.Path}', which the collection lists as {entry.Hash} ({entry.Size} bytes)");
            }

            string target = BlobCollection.Resolve(directory, entry);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string partial = partials[target];
            var file = new FileStream(PosixFiles.OpenTemporary(partial, truncate: true), FileAccess.Write, bufferSize: 0);
            await using (file.ConfigureAwait(false))
            {
                await BaoDecoder.DecodeAsync(input, entry.Hash, size, ChunkRanges.All, new StreamSink(file), requireEnd: false, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(partial, target, overwrite: true);
            received += size;
            progress?.Report(received);
        }

        return (collection, missing);
    }

    /// <summary>
    /// Pushes <paramref name="ranges"/> (all by default) of a blob this side holds — its data and
    /// outboard — as a verified encoding; the silo keeps every block that verifies and completes
    /// the blob when it has them all. Returns what the silo now has.
    /// </summary>
    public async Task<BlobAvailability> PushAsync(
        Blake3Hash hash, long size, IRandomAccessStorage data, IRandomAccessStorage outboard, ChunkRanges? ranges = null, TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ranges ??= ChunkRanges.All;
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await new PushRequest(hash, size, ranges, ttl).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        try
        {
            await BaoEncoder.EncodeAsync(data, outboard, size, ranges, stream, cancellationToken).ConfigureAwait(false);
            stream.CompleteWrites();
        }
        catch (QuicException error) when (error.Error == QuicError.StreamAborted)
        {
            // The silo stopped reading: it has the blob already, or refused; its reply says which.
        }

        return await BlobReply.ReadAsync<BlobAvailability>(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What the silo has of a blob, now and then at every change, until it is complete
    /// (iroh-blobs' observe). Ends when the blob is complete or the caller stops.
    /// </summary>
    public async IAsyncEnumerable<BlobAvailability> ObserveAsync(Blake3Hash hash, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await new ObserveRequest(hash).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        while (await BlobReply.ReadOrErrorAsync<BlobAvailability>(stream, cancellationToken).ConfigureAwait(false) is { } update)
        {
            BlobAvailability availability = update as BlobAvailability ?? throw ((ErrorReply)update).ToException();
            yield return availability;
            if (availability.Complete)
            {
                yield break;
            }
        }
    }

    /// <summary>The blob's metadata.</summary>
    public async Task<BlobInfo> InfoAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        (await DescribeAsync(hash, cancellationToken).ConfigureAwait(false)).Blob;

    /// <summary>The blob's metadata and, in a cluster, the silos that hold it (<see cref="BlobDescription.Providers"/>).</summary>
    public Task<BlobDescription> DescribeAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        RequestAsync<BlobDescription>(new InfoRequest(hash), cancellationToken);

    /// <summary>Moves the blob's expiry to at least now + <paramref name="ttl"/>.</summary>
    public async Task<BlobInfo> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        (await RequestAsync<BlobDescription>(new ExtendRequest(hash, ttl), cancellationToken).ConfigureAwait(false)).Blob;

    /// <summary>Deletes the blob.</summary>
    public async Task DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        await RequestAsync<OkReply>(new DeleteRequest(hash), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_endpoint is null)
        {
            return;
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        await _endpoint.DisposeAsync().ConfigureAwait(false);
        _identity?.Dispose();
    }

    /// <summary>One request, one reply: writes <paramref name="request"/>, ends the stream, reads a <typeparamref name="T"/>.</summary>
    private async Task<T> RequestAsync<T>(BlobRequest request, CancellationToken cancellationToken)
        where T : BlobReply, IBlobReply<T>
    {
        await using QuicStream stream = await _connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await request.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        return await BlobReply.ReadAsync<T>(stream, cancellationToken).ConfigureAwait(false);
    }

    private sealed class StreamSink(Stream output) : IBaoSink
    {
        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => output.WriteAsync(data, cancellationToken);
    }
}
