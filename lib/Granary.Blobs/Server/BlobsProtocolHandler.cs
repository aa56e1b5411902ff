using System.Security.Cryptography;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Blobs.Server;

/// <summary>Who may use a silo's blobs protocol.</summary>
public sealed class BlobsServerOptions
{
    /// <summary>The token clients present (op "auth") before any other request.</summary>
    public required string AdminToken { get; set; }

    /// <summary>Nodes (other silos) that need no token: their key, proven in the handshake, is enough.</summary>
    public IReadOnlySet<NodeId> TrustedNodes { get; set; } = new HashSet<NodeId>();

    /// <summary>How long a client may take to send a request's metadata block.</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown, how long a connection whose requests were reset stays open for its client to
    /// read the resets and leave (default 2 s; the router's own drain limit still applies).
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The silo side of <c>granary/blobs/1</c> (docs/protocol.md): one request per bidirectional
/// stream, a metadata block first; PUT data follows it up to FIN; replies are a metadata block,
/// then for GET the verified encoding. A connection must authenticate before anything else.
/// </summary>
/// <remarks>With an <see cref="IBlobCluster"/>, a PUT is acknowledged only once the cluster holds R copies,
/// a GET for a blob held elsewhere is redirected (307 with 'providers'), and extend/delete apply on
/// every replica.</remarks>
public sealed partial class BlobsProtocolHandler(BlobStore store, BlobsServerOptions options, ILogger<BlobsProtocolHandler> logger, IBlobCluster? cluster = null) : IProtocolHandler
{
    /// <summary>The protocol's ALPN.</summary>
    public const string Alpn = "granary/blobs/1";

    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.AdminToken);

    /// <inheritdoc/>
    public async Task HandleConnectionAsync(QuicConnection connection, CancellationToken shutdown)
    {
        var session = new Session { Authenticated = options.TrustedNodes.Contains(connection.RemoteNodeId) || cluster?.IsMember(connection.RemoteNodeId) == true };
        await connection.ServeStreamsAsync(stream => ServeAsync(connection, stream, session, shutdown), shutdown).ConfigureAwait(false);
        if (shutdown.IsCancellationRequested && Volatile.Read(ref session.Abandoned) > 0)
        {
            // A reset is retransmitted until acknowledged only while the connection lives; closing at
            // once lets a busy client lose both reset and close and wait out its idle timeout. Give
            // it a moment to read the 503 and leave.
            await Task.WhenAny(connection.Closed, Task.Delay(options.ShutdownGrace, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(QuicConnection connection, QuicStream stream, Session session, CancellationToken shutdown)
    {
        await using (stream.ConfigureAwait(false))
        {
            bool finished = false;
            try
            {
                BlobMessage? request;
                using (var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
                {
                    headerTimeout.CancelAfter(options.HeaderTimeout);
                    request = await BlobMessage.ReadAsync(stream, headerTimeout.Token).ConfigureAwait(false);
                }

                if (request is null)
                {
                    return;
                }

                string op = request.Text("op") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the request has no 'op'");
                if (op == "auth")
                {
                    await AuthenticateAsync(connection, stream, request, session, shutdown).ConfigureAwait(false);
                    return;
                }

                if (!session.Authenticated)
                {
                    throw new BlobProtocolException(BlobStatus.Unauthorized, "authenticate first: send {op: auth, token: <token>} on its own stream");
                }

                BlobMessage reply = op switch
                {
                    "put" => await PutAsync(connection, stream, request, shutdown).ConfigureAwait(false),
                    "get" => await GetAsync(stream, request, shutdown).ConfigureAwait(false),
                    "get-collection" => await GetCollectionAsync(stream, request, shutdown).ConfigureAwait(false),
                    "push" => await PushAsync(stream, request, shutdown).ConfigureAwait(false),
                    "observe" => await ObserveAsync(stream, request, shutdown).ConfigureAwait(false),
                    "info" => await InfoAsync(RequiredHash(request), shutdown).ConfigureAwait(false),
                    "locate" => await LocateAsync(RequiredHash(request), shutdown).ConfigureAwait(false),
                    "extend" => await ExtendAsync(RequiredHash(request), TimeSpan.FromSeconds(request.Number("ttl") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "extend needs 'ttl' in seconds")), shutdown).ConfigureAwait(false),
                    "delete" => await DeleteAsync(RequiredHash(request), shutdown).ConfigureAwait(false)
                        ? BlobMessage.Reply(BlobStatus.Ok)
                        : BlobMessage.Reply(BlobStatus.NotFound, "no such blob"),
                    _ => (cluster is null ? null : await cluster.AdminAsync(op, request, shutdown).ConfigureAwait(false))
                        ?? BlobMessage.Reply(BlobStatus.UnknownOperation, $"unknown op '{op}': this silo knows auth, put, get, get-collection, push, observe, info, locate, extend, delete{(cluster is null ? string.Empty : ", cluster-status, cluster-drain")}"),
                };

                // A successful get, get-collection or observe has already written its replies.
                if (op is not ("get" or "get-collection" or "observe") || reply.Number("status") != (long)BlobStatus.Ok)
                {
                    await reply.WriteAsync(stream, shutdown).ConfigureAwait(false);
                }

                finished = true;
            }
            catch (BlobRedirectException redirect)
            {
                await TryReplyAsync(stream, BlobMessage.Reply(BlobStatus.Redirect, redirect.Message, ("providers", redirect.Providers.Select(p => (object)p.ToString()).ToList())), shutdown).ConfigureAwait(false);
            }
            catch (BlobProtocolException error)
            {
                await TryReplyAsync(stream, error.Status, error.Message, shutdown).ConfigureAwait(false);
            }
            catch (BlobStoreException error)
            {
                BlobStatus status = error.Error switch
                {
                    BlobError.NotFound => BlobStatus.NotFound,
                    BlobError.Expired => BlobStatus.Gone,
                    BlobError.TooLarge => BlobStatus.TooLarge,
                    BlobError.TooLittleData => BlobStatus.FinBeforeSize,
                    BlobError.TooMuchData => BlobStatus.TooMuchData,
                    _ => BlobStatus.HashMismatch,
                };
                await TryReplyAsync(stream, status, error.Message, shutdown).ConfigureAwait(false);
                if (status is BlobStatus.TooMuchData or BlobStatus.TooLarge)
                {
                    stream.Abort(QuicAbortDirection.Read, (long)status);
                }
            }
            catch (QuicException)
            {
                // The client went away mid-request: nothing to answer.
            }
            catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
            {
                await TryReplyAsync(stream, BlobStatus.BadRequest, $"no request arrived within {options.HeaderTimeout.TotalSeconds:0} s", shutdown).ConfigureAwait(false);
            }
            catch (IOException error)
            {
                IoFailed(logger, error);
                await TryReplyAsync(stream, BlobStatus.IoError, "the silo could not read or write its disk; see its log", shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                // Stopping (SIGTERM): abandoned below with a code the client reads as "unavailable, retry".
            }
            finally
            {
                if (shutdown.IsCancellationRequested && !finished)
                {
                    // A clean end (FIN) here would look like a truncated reply, which a client must
                    // treat as bad data; a reset with 503 says "this silo is going away, retry".
                    stream.Abort(QuicAbortDirection.Both, (long)BlobStatus.Unavailable);
                    Interlocked.Increment(ref session.Abandoned);
                }
                else
                {
                    stream.CompleteWrites();
                }
            }
        }
    }

    private async Task AuthenticateAsync(QuicConnection connection, QuicStream stream, BlobMessage request, Session session, CancellationToken cancellationToken)
    {
        byte[] token = request.Bytes("token") ?? [];
        if (CryptographicOperations.FixedTimeEquals(token, _token))
        {
            session.Authenticated = true;
            await BlobMessage.Reply(BlobStatus.Ok).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            return;
        }

        await BlobMessage.Reply(BlobStatus.Unauthorized, "wrong token").WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        stream.CompleteWrites();
        await stream.WritesClosed.ConfigureAwait(false);
        connection.Close((long)BlobStatus.Unauthorized, "wrong token");
    }

    private async Task<BlobMessage> PutAsync(QuicConnection connection, QuicStream stream, BlobMessage request, CancellationToken cancellationToken)
    {
        long size = request.Number("size") ?? throw new BlobProtocolException(BlobStatus.NoSize, "a put must declare its 'size' in bytes");
        if (size < 0)
        {
            throw new BlobProtocolException(BlobStatus.BadSize, $"size {size} is negative");
        }

        TimeSpan? ttl = request.Number("ttl") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        string tags;
        try
        {
            tags = BlobTags.Format(request.Texts("tags") ?? new Dictionary<string, string>());
        }
        catch (ArgumentException error)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, error.Message);
        }

        BlobInfo blob = await store.ImportAsync(stream, size, ttl, request.Hash("hash"), connection.RemoteNodeId.ToString(), tags, cancellationToken).ConfigureAwait(false);
        if (cluster is null)
        {
            return Describe(blob);
        }

        // Durable here; acknowledged only once the cluster holds R copies.
        IReadOnlyList<SiloTicket> replicas = await cluster.ReplicateAsync(blob, cancellationToken).ConfigureAwait(false);
        return Describe(blob, ("replicas", replicas.Select(r => (object)r.ToString()).ToList()));
    }

    private async Task<BlobMessage> InfoAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        // In a cluster the blob grain's record is the truth: a copy here may be stale (this silo was
        // away during an extend or a delete and has not reconciled yet), so it is never what INFO reports.
        if (cluster is { KeepsRecords: true })
        {
            return await cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (blob, providers)
                ? Describe(blob, ("providers", providers.Select(p => (object)p.ToString()).ToList()))
                : throw new BlobProtocolException(BlobStatus.NotFound, $"the cluster has no blob {hash}");
        }

        return Describe(await store.InfoAsync(hash, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>LOCATE: the silos that hold a blob (the cluster's replicas; alone, this silo if it has it).</summary>
    private async Task<BlobMessage> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (cluster is not null && await cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (blob, providers))
        {
            return Describe(blob, ("providers", providers.Select(p => (object)p.ToString()).ToList()));
        }

        return Describe(await store.InfoAsync(hash, cancellationToken).ConfigureAwait(false), ("providers", new List<object>()));
    }

    private async Task<BlobMessage> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (cluster is not null && await cluster.ExtendAsync(hash, ttl, cancellationToken).ConfigureAwait(false) is { } extended)
        {
            return Describe(extended);
        }

        return Describe(await store.ExtendAsync(hash, ttl, cancellationToken).ConfigureAwait(false));
    }

    private async Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        bool deleted = cluster is not null && await cluster.DeleteAsync(hash, cancellationToken).ConfigureAwait(false);
        return await store.DeleteAsync(hash, cancellationToken).ConfigureAwait(false) || deleted;
    }

    /// <summary>In a cluster, a blob this silo does not hold is answered with 307 and the silos that do.</summary>
    private async Task RedirectIfElsewhereAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (cluster is null || await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (await cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (_, providers) && providers.Count > 0)
        {
            throw new BlobRedirectException(providers);
        }
    }

    private async Task<BlobMessage> GetAsync(QuicStream stream, BlobMessage request, CancellationToken cancellationToken)
    {
        Blake3Hash hash = RequiredHash(request);
        ChunkRanges ranges = Ranges(request);
        await RedirectIfElsewhereAsync(hash, cancellationToken).ConfigureAwait(false);
        using BlobReader reader = await store.OpenReaderAsync(hash, cancellationToken).ConfigureAwait(false);
        BlobMessage reply = Describe(reader.Info);
        await reply.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        await reader.EncodeAsync(ranges, stream, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    /// <summary>
    /// The collection blob's reply block and encoding, then for each entry in order a reply block
    /// (200 with size, or the child's error) and, if 200, the child's whole encoding.
    /// </summary>
    private async Task<BlobMessage> GetCollectionAsync(QuicStream stream, BlobMessage request, CancellationToken cancellationToken)
    {
        Blake3Hash hash = RequiredHash(request);
        await RedirectIfElsewhereAsync(hash, cancellationToken).ConfigureAwait(false);
        using BlobReader reader = await store.OpenReaderAsync(hash, cancellationToken).ConfigureAwait(false);
        if (reader.Info.Size > BlobCollection.MaxSize)
        {
            throw new BlobProtocolException(BlobStatus.NotACollection, $"blob {hash} is {reader.Info.Size} bytes, too large to be a collection");
        }

        byte[] bytes = new byte[reader.Info.Size];
        await reader.Data.ReadExactlyAtAsync(0, bytes, "collection", cancellationToken).ConfigureAwait(false);
        if (!BlobCollection.TryDecode(bytes, out BlobCollection? collection, out string? problem))
        {
            throw new BlobProtocolException(BlobStatus.NotACollection, $"blob {hash} is not a collection: {problem}");
        }

        BlobMessage reply = Describe(reader.Info);
        await reply.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        await reader.EncodeAsync(ChunkRanges.All, stream, cancellationToken).ConfigureAwait(false);
        foreach (CollectionEntry entry in collection!.Entries)
        {
            try
            {
                using BlobReader child = await store.OpenReaderAsync(entry.Hash, cancellationToken).ConfigureAwait(false);
                await Describe(child.Info).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                await child.EncodeAsync(ChunkRanges.All, stream, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobStoreException missing)
            {
                BlobStatus status = missing.Error == BlobError.Expired ? BlobStatus.Gone : BlobStatus.NotFound;
                await BlobMessage.Reply(status, missing.Message, ("hash", entry.Hash.ToArray())).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        return reply;
    }

    /// <summary>
    /// PUSH: the client sends the verified encoding of some ranges of a blob it has; every verified
    /// block is kept (even if the stream later fails verification), committed durably, and the
    /// blob is completed once every block is present.
    /// </summary>
    private async Task<BlobMessage> PushAsync(QuicStream stream, BlobMessage request, CancellationToken cancellationToken)
    {
        Blake3Hash hash = RequiredHash(request);
        long size = request.Number("size") ?? throw new BlobProtocolException(BlobStatus.NoSize, "a push must declare the blob's 'size'");
        if (size < 0)
        {
            throw new BlobProtocolException(BlobStatus.BadSize, $"size {size} is negative");
        }

        ChunkRanges ranges = Ranges(request);
        TimeSpan? ttl = request.Number("ttl") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        if (await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            // Already complete here: nothing to receive.
            stream.Abort(QuicAbortDirection.Read, 0);
            return PushReply(await store.InfoAsync(hash, cancellationToken).ConfigureAwait(false), ChunkRanges.All, complete: true);
        }

        PartialBlob partial = store.OpenPartial(hash, size);
        try
        {
            await BaoDecoder.DecodeAsync(stream, hash, size, ranges, partial, requireEnd: true, cancellationToken).ConfigureAwait(false);
        }
        catch (BaoVerificationException error)
        {
            await partial.CommitAsync(cancellationToken).ConfigureAwait(false);
            throw new BlobProtocolException(BlobStatus.HashMismatch, $"the pushed data does not verify (the blocks before the fault were kept): {error.Message}");
        }

        await partial.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (partial.IsComplete)
        {
            return PushReply(await store.CompletePartialAsync(partial, ttl, cancellationToken: cancellationToken).ConfigureAwait(false), ChunkRanges.All, complete: true);
        }

        return PushReply(new BlobInfo(hash, size, default, default), partial.Present(), complete: false);
    }

    /// <summary>
    /// OBSERVE: what of a blob is present here, now and as it changes — one reply block per change
    /// (size, present ranges, complete), ending with FIN once the blob is complete.
    /// </summary>
    private async Task<BlobMessage> ObserveAsync(QuicStream stream, BlobMessage request, CancellationToken cancellationToken)
    {
        Blake3Hash hash = RequiredHash(request);
        while (true)
        {
            if (await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                BlobMessage done = PushReply(await store.InfoAsync(hash, cancellationToken).ConfigureAwait(false), ChunkRanges.All, complete: true);
                await done.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
                return done;
            }

            PartialBlob? partial = store.FindPartial(hash);
            if (partial is null)
            {
                // Completed between the two looks: the store has it now.
                if (await store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                throw new BlobProtocolException(BlobStatus.NotFound, $"blob {hash} is neither stored nor being received here");
            }

            // Take the signal before reading the state, so a change in between is not missed.
            Task changed = partial.Changed;
            if (partial.IsFinished)
            {
                continue;
            }

            await PushReply(new BlobInfo(hash, partial.Size, default, default), partial.Present(), complete: false).WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static ChunkRanges Ranges(BlobMessage request)
    {
        if (request.Numbers("ranges") is not { } boundaries)
        {
            return ChunkRanges.All;
        }

        try
        {
            return ChunkRanges.FromBoundaries(boundaries.Select(b => b >= 0 ? (ulong)b : throw new ArgumentException($"boundary {b} is negative")).ToList());
        }
        catch (ArgumentException error)
        {
            throw new BlobProtocolException(BlobStatus.BadRequest, $"bad 'ranges': {error.Message}");
        }
    }

    private static BlobMessage PushReply(BlobInfo blob, ChunkRanges present, bool complete) =>
        Describe(blob, ("present", BlobMessage.RangesField(present)), ("complete", complete ? 1L : 0L));

    private static Blake3Hash RequiredHash(BlobMessage request) =>
        request.Hash("hash") ?? throw new BlobProtocolException(BlobStatus.BadRequest, "the request needs the blob's 'hash' (32 bytes)");

    /// <summary>A 200 reply describing <paramref name="blob"/>, with any <paramref name="extra"/> fields.</summary>
    private static BlobMessage Describe(BlobInfo blob, params (string Key, object Value)[] extra) => BlobMessage.Reply(
        BlobStatus.Ok,
        null,
        [
            ("hash", blob.Hash.ToArray()),
            ("size", blob.Size),
            ("created", blob.Created.ToUnixTimeMilliseconds()),
            ("expires", blob.Expires.ToUnixTimeMilliseconds()),
            ("uploader", blob.Uploader ?? string.Empty),
            ("tags", BlobTags.Parse(blob.Tags).ToDictionary(t => t.Key, t => (object)t.Value)),
            .. extra,
        ]);

    private static Task TryReplyAsync(QuicStream stream, BlobStatus status, string message, CancellationToken cancellationToken) =>
        TryReplyAsync(stream, BlobMessage.Reply(status, message), cancellationToken);

    private static async Task TryReplyAsync(QuicStream stream, BlobMessage reply, CancellationToken cancellationToken)
    {
        try
        {
            await reply.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (QuicException)
        {
            // The client is gone or stopped reading; the error has nowhere to go.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob request failed on disk")]
    private static partial void IoFailed(ILogger logger, Exception error);

    private sealed class BlobRedirectException(IReadOnlyList<SiloTicket> providers)
        : Exception($"this silo does not hold the blob; ask {string.Join(", ", providers)}")
    {
        public IReadOnlyList<SiloTicket> Providers { get; } = providers;
    }

    private sealed class Session
    {
        public volatile bool Authenticated;

        /// <summary>Requests reset with 503 because the silo is stopping.</summary>
        public int Abandoned;
    }
}
