using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;
using Granary.Storage.Scrub;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Blobs.Server;

/// <summary>
/// The silo side of <c>granary/blobs/1</c> over plain streams (docs/protocol.md): reads one
/// <see cref="BlobRequest"/>, checks the session, runs it against the blob store (and the cluster,
/// if any) and writes the <see cref="BlobReply"/> — or the <see cref="ErrorReply"/> that
/// <see cref="ToErrorReply"/> maps the failure to. No QUIC here: <see cref="BlobsProtocolHandler"/>
/// is the thin loop that feeds it QUIC streams, tests feed it in-memory ones.
/// </summary>
/// <remarks>With an <see cref="IBlobCluster"/>, a PUT is acknowledged only once the cluster holds R copies,
/// a GET for a blob held elsewhere is redirected (307 with the providers), and extend/delete apply on
/// every replica.</remarks>
public sealed partial class BlobRequestHandler
{
    private readonly BlobStore _store;
    private readonly BlobsServerOptions _options;
    private readonly ILogger _logger;
    private readonly IBlobCluster? _cluster;
    private readonly IChannelDataGate? _channels;
    private readonly BlobScrubber? _scrubber;
    private readonly byte[] _token;
    private readonly Dictionary<Blake3Hash, (SemaphoreSlim Gate, int Users)> _pushGates = [];

    /// <summary>A handler over <paramref name="store"/>, in <paramref name="cluster"/> if given, serving transfer channels' gets through <paramref name="channels"/> if given, and <c>scrub</c> through <paramref name="scrubber"/> if given.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (<see cref="BlobsServerOptions.Validate"/>).</exception>
    public BlobRequestHandler(BlobStore store, BlobsServerOptions options, ILogger logger, IBlobCluster? cluster = null, IChannelDataGate? channels = null, BlobScrubber? scrubber = null)
    {
        _scrubber = scrubber;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        (_store, _options, _logger, _cluster, _channels) = (store, options, logger, cluster, channels);
        _token = Encoding.UTF8.GetBytes(options.AdminToken);
    }

    /// <summary>True if a connection from <paramref name="peer"/> needs no token (a trusted node or a cluster member).</summary>
    public bool IsTrusted(NodeId peer) => _options.TrustedNodes.Contains(peer) || _cluster?.IsMember(peer) == true;

    /// <summary>
    /// Serves one request: reads its metadata block (within <see cref="BlobsServerOptions.HeaderTimeout"/>),
    /// authenticates or dispatches it, and writes the replies. Never throws for anything the client
    /// did: every refusal becomes an error reply, and the outcome says how the stream must end.
    /// </summary>
    public async Task<StreamOutcome> ServeAsync(BlobRequestContext context, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(context);
        long started = Stopwatch.GetTimestamp();
        string operation = "unknown";
        BlobStatus status = BlobStatus.Ok;
        using Activity? span = BlobsServerMetrics.Activities.StartActivity("blobs request", ActivityKind.Server);
        try
        {
            MetadataBlock? block;
            using (var headerTimeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
            {
                headerTimeout.CancelAfter(_options.HeaderTimeout);
                block = await MetadataBlock.ReadAsync(context.Input, headerTimeout.Token).ConfigureAwait(false);
            }

            if (block is null)
            {
                return StreamOutcome.Finished;
            }

            // Before parsing the fields: a stranger learns nothing about them but "authenticate first"
            // (a get under a transfer channel is the one exception: its channel authorizes it).
            bool underChannel = block.Fields.TryGetValue("op", out object? op) && op is byte[] name && name.AsSpan().SequenceEqual("get"u8) && block.Has("channel");
            if (!context.Session.Authenticated && !underChannel && !(op is byte[] auth1 && auth1.AsSpan().SequenceEqual("auth"u8)))
            {
                throw new BlobProtocolException(BlobStatus.Unauthorized, "authenticate first: send {op: auth, token: <token>} on its own stream");
            }

            BlobRequest request = BlobRequest.Parse(block);
            operation = request.Operation;
            if (span is not null)
            {
                span.DisplayName = $"blobs {operation}";
                span.SetTag("granary.operation", operation);
            }

            if (request is AuthRequest auth)
            {
                return await AuthenticateAsync(auth, context, shutdown).ConfigureAwait(false);
            }

            if (request is GetRequest { Channel: { } channel } channelGet)
            {
                await GetUnderChannelAsync(channelGet, channel, context, shutdown).ConfigureAwait(false);
                return StreamOutcome.Finished;
            }

            if (!context.Session.Authenticated)
            {
                throw new BlobProtocolException(BlobStatus.Unauthorized, "authenticate first: send {op: auth, token: <token>} on its own stream");
            }

            if (await HandleAsync(request, context, shutdown).ConfigureAwait(false) is { } reply)
            {
                await reply.WriteAsync(context.Output, shutdown).ConfigureAwait(false);
            }

            return StreamOutcome.Finished;
        }
        catch (QuicException)
        {
            // The client went away mid-request: nothing to answer.
            return shutdown.IsCancellationRequested ? StreamOutcome.Abandoned : StreamOutcome.Finished;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return StreamOutcome.Abandoned;
        }
        catch (Exception error) when (ToErrorReply(error) is { } reply)
        {
            status = reply.Code;
            span?.SetStatus(ActivityStatusCode.Error, reply.Code.ToString());
            if (reply.Code == BlobStatus.HashMismatch && operation is PutRequest.Op or PushRequest.Op)
            {
                BlobsServerMetrics.VerificationFailed(operation == PutRequest.Op ? "upload" : "push");
            }

            if (reply.Code == BlobStatus.IoError)
            {
                IoFailed(_logger, error);
            }
            else if (reply.Code == BlobStatus.Internal)
            {
                RequestFailed(_logger, error);
            }

            try
            {
                await reply.WriteAsync(context.Output, shutdown).ConfigureAwait(false);
            }
            catch (QuicException)
            {
                // The client is gone or stopped reading; the error has nowhere to go.
            }

            if (reply.Code is BlobStatus.TooMuchData or BlobStatus.TooLarge)
            {
                context.StopReading((long)reply.Code);
            }

            return shutdown.IsCancellationRequested ? StreamOutcome.Abandoned : StreamOutcome.Finished;
        }
        finally
        {
            span?.SetTag("granary.status", (int)status);
            BlobsServerMetrics.Served(operation, status, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Runs one authenticated request. Returns the reply to write, or null when the handler has
    /// written its replies itself (a successful <c>get</c>, <c>get-collection</c> or <c>observe</c>,
    /// whose replies are followed by encodings or come in a series).
    /// </summary>
    /// <exception cref="BlobProtocolException">A refusal; its status and message are the reply.</exception>
    /// <exception cref="BlobStoreException">The store refused (not found, expired, too large, …).</exception>
    public Task<BlobReply?> HandleAsync(BlobRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (_options.ReadOnly && request is not (GetRequest or GetCollectionRequest or InfoRequest or LocateRequest or ObserveRequest))
        {
            throw new BlobProtocolException(BlobStatus.Forbidden, $"this is a read-only seeder (granary serve): it only serves downloads; send uploads, deletes, extends and cluster commands to a silo ('{request.Operation}' asked)");
        }

        return request switch
        {
            PutRequest put => Reply(PutAsync(put, context, cancellationToken)),
            GetRequest get => None(GetAsync(get, context, cancellationToken)),
            GetCollectionRequest collection => None(GetCollectionAsync(collection, context, cancellationToken)),
            PushRequest push => Reply(PushAsync(push, context, cancellationToken)),
            ObserveRequest observe => None(ObserveAsync(observe, context, cancellationToken)),
            InfoRequest info => Reply(InfoAsync(info.Hash, cancellationToken)),
            LocateRequest locate => Reply(LocateAsync(locate.Hash, cancellationToken)),
            ExtendRequest extend => Reply(ExtendAsync(extend, cancellationToken)),
            DeleteRequest delete => Reply(DeleteAsync(delete.Hash, cancellationToken)),
            ClusterStatusRequest => Reply(Cluster(ClusterStatusRequest.Op).StatusAsync(cancellationToken)),
            ClusterDrainRequest drain => Reply(DrainAsync(drain.Node, cancellationToken)),
            ScrubRequest => Reply(ScrubAsync(cancellationToken)),
            AuthRequest => throw new BlobProtocolException(BlobStatus.BadRequest, "auth goes on a stream of its own, before other requests"),
            _ => throw new BlobProtocolException(BlobStatus.UnknownOperation, $"this silo does not serve '{request.Operation}'"),
        };

        static async Task<BlobReply?> Reply<T>(Task<T> reply)
            where T : BlobReply => await reply.ConfigureAwait(false);

        static async Task<BlobReply?> None(Task written)
        {
            await written.ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// The one map from a failure to what the client is told. Refusals keep their status; the
    /// store's errors map by kind (<see cref="StatusOf"/>); a header that did not arrive in time is
    /// a 400; the silo's own disk failing is a 480 and anything else (a bug) a 500, both with details
    /// only in the silo's log. Null only when the client left (nothing can reach it).
    /// </summary>
    /// <remarks>A silo that is stopping abandons the stream before this map is asked (a 503 reset), so no shutdown token is needed here.</remarks>
    public static ErrorReply? ToErrorReply(Exception error) => error switch
    {
        BlobStoreException store => new ErrorReply(StatusOf(store.Error), store.Message),
        // Refusals and a client gone are IOExceptions too: they are the shared map's.
        IOException and not (BlobProtocolException or QuicException) => new ErrorReply(BlobStatus.IoError, "the silo could not read or write its disk; see its log"),
        _ => ErrorReply.ForFailure(error, CancellationToken.None),
    };

    /// <summary>The status for each kind of store refusal; exhaustive, so a new kind must be given one.</summary>
#pragma warning disable CS8524 // Only named kinds exist; a new named kind still fails the build here (CS8509).
    public static BlobStatus StatusOf(BlobError error) => error switch
    {
        BlobError.NotFound => BlobStatus.NotFound,
        BlobError.Expired => BlobStatus.Gone,
        BlobError.TooLarge => BlobStatus.TooLarge,
        BlobError.TooLittleData => BlobStatus.FinBeforeSize,
        BlobError.TooMuchData => BlobStatus.TooMuchData,
        BlobError.HashMismatch => BlobStatus.HashMismatch,
        BlobError.SizeConflict => BlobStatus.BadRequest,
        BlobError.Damaged => BlobStatus.Damaged,
    };
#pragma warning restore CS8524

    private async Task<StreamOutcome> AuthenticateAsync(AuthRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        if (CryptographicOperations.FixedTimeEquals(request.Token, _token))
        {
            context.Session.Authenticate();
            await new OkReply { PlacesUploads = _cluster?.PlacesUploads == true }.WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
            return StreamOutcome.Finished;
        }

        await new ErrorReply(BlobStatus.Unauthorized, "wrong token").WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
        return StreamOutcome.CloseConnection;
    }

    private async Task<BlobDescription> PutAsync(PutRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        if (request.Place)
        {
            // Decided before any data moves: the client waits for this answer.
            if (request.Hash is { } hash && _cluster?.UploadRedirect(hash) is { Count: > 0 } targets)
            {
                throw new BlobProtocolException($"this silo is not where {hash} belongs; send it to {string.Join(", ", targets)}", targets);
            }

            _store.CheckFits(request.Size);
            await OkReply.Instance.WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
        }

        BlobInfo blob = await _store.ImportAsync(context.Input, request.Size, request.Ttl, request.Hash, context.Session.Peer.ToString(), request.CanonicalTags, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (_cluster is null)
        {
            return new BlobDescription(blob);
        }

        // Durable here; acknowledged only once the cluster holds R copies.
        return new BlobDescription(blob) { Replicas = await _cluster.ReplicateAsync(blob, cancellationToken).ConfigureAwait(false) };
    }

    private async Task<BlobDescription> InfoAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        // In a cluster the blob grain's record is the truth: a copy here may be stale (this silo was
        // away during an extend or a delete and has not reconciled yet), so it is never what INFO reports.
        if (_cluster is { KeepsRecords: true })
        {
            return await _cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (blob, providers)
                ? new BlobDescription(blob) { Providers = providers }
                : throw new BlobProtocolException(BlobStatus.NotFound, $"the cluster has no blob {hash}");
        }

        return new BlobDescription(await _store.InfoAsync(hash, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>LOCATE: the silos that hold a blob (the cluster's replicas; alone, none listed: "here").</summary>
    private async Task<BlobDescription> LocateAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (_cluster is not null && await _cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (blob, providers))
        {
            return new BlobDescription(blob) { Providers = providers };
        }

        return new BlobDescription(await _store.InfoAsync(hash, cancellationToken).ConfigureAwait(false));
    }

    private async Task<BlobDescription> ExtendAsync(ExtendRequest request, CancellationToken cancellationToken)
    {
        if (_cluster is not null && await _cluster.ExtendAsync(request.Hash, request.Ttl, cancellationToken).ConfigureAwait(false) is { } extended)
        {
            return new BlobDescription(extended);
        }

        return new BlobDescription(await _store.ExtendAsync(request.Hash, request.Ttl, cancellationToken).ConfigureAwait(false));
    }

    private async Task<OkReply> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        bool deleted = _cluster is not null && await _cluster.DeleteAsync(hash, cancellationToken).ConfigureAwait(false);
        return await _store.DeleteAsync(hash, cancellationToken).ConfigureAwait(false) || deleted
            ? OkReply.Instance
            : throw new BlobProtocolException(BlobStatus.NotFound, $"No blob {hash} is stored here.");
    }

    private async Task<OkReply> DrainAsync(string node, CancellationToken cancellationToken)
    {
        await Cluster(ClusterDrainRequest.Op).DrainAsync(node, cancellationToken).ConfigureAwait(false);
        return OkReply.Instance;
    }

    private async Task<ScrubSummary> ScrubAsync(CancellationToken cancellationToken)
    {
        BlobScrubber scrubber = _scrubber ?? throw new BlobProtocolException(BlobStatus.UnknownOperation, "this server does not scrub its store (a seeder, or a test server)");
        ScrubReport report;
        try
        {
            report = await scrubber.ScrubAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, "the silo is stopping: its scrub was cut short; run it again once the silo is back");
        }

        return new ScrubSummary(report.Checked, report.Bytes, report.Damaged.Count, report.Restored, [.. report.Damaged.Select(d => (d.Hash, d.Reason))])
        {
            StillDamaged = report.StillDamaged.Count,
            Unread = report.Unread,
        };
    }

    private IBlobCluster Cluster(string op) =>
        _cluster ?? throw new BlobProtocolException(BlobStatus.UnknownOperation, $"'{op}' needs a silo in a cluster; this one serves blobs only");

    /// <summary>In a cluster, a blob this silo does not hold is answered with 307 and the silos that do.</summary>
    private async Task RedirectIfElsewhereAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        if (_cluster is null || await _store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (await _cluster.LocateAsync(hash, cancellationToken).ConfigureAwait(false) is var (_, providers) && providers.Count > 0)
        {
            throw new BlobProtocolException($"this silo does not hold the blob; ask {string.Join(", ", providers)}", providers);
        }
    }

    private async Task GetAsync(GetRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        await RedirectIfElsewhereAsync(request.Hash, cancellationToken).ConfigureAwait(false);
        using BlobReader reader = await _store.OpenReaderAsync(request.Hash, cancellationToken).ConfigureAwait(false);
        await new BlobDescription(reader.Info).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
        await reader.EncodeAsync(request.Ranges, context.Output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A get under a transfer channel: the channel's owner authorizes the piece (no token needed),
    /// the bytes are this silo's own copy (never a redirect: the channel was opened with this silo),
    /// and what was sent is counted on the channel once written.
    /// </summary>
    private async Task GetUnderChannelAsync(GetRequest request, ulong channel, BlobRequestContext context, CancellationToken cancellationToken)
    {
        IChannelDataGate gate = _channels ?? throw new BlobProtocolException(BlobStatus.UnknownOperation, "this silo serves no transfer channels");
        await gate.AuthorizeAsync(context.Session.Peer, channel, request.Hash, request.Ranges, cancellationToken).ConfigureAwait(false);
        using BlobReader reader = await _store.OpenReaderAsync(request.Hash, cancellationToken).ConfigureAwait(false);
        await new BlobDescription(reader.Info).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
        await reader.EncodeAsync(request.Ranges, context.Output, cancellationToken).ConfigureAwait(false);
        // Counted as carried: the encoding sends whole blocks, however few chunks of one were asked for.
        long sent = request.Ranges.RoundOut((ulong)BaoTree.ChunksPerBlock).ByteCount(reader.Info.Size);
        await gate.SentAsync(context.Session.Peer, channel, sent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The collection blob's description and encoding, then for each entry in order its
    /// description and whole encoding, or an error reply naming it (404/410).
    /// </summary>
    private async Task GetCollectionAsync(GetCollectionRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        Blake3Hash hash = request.Hash;
        await RedirectIfElsewhereAsync(hash, cancellationToken).ConfigureAwait(false);
        using BlobReader reader = await _store.OpenReaderAsync(hash, cancellationToken).ConfigureAwait(false);
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

        await new BlobDescription(reader.Info).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
        await reader.EncodeAsync(ChunkRanges.All, context.Output, cancellationToken).ConfigureAwait(false);
        foreach (CollectionEntry entry in collection!.Entries)
        {
            try
            {
                using BlobReader child = await _store.OpenReaderAsync(entry.Hash, cancellationToken).ConfigureAwait(false);
                await new BlobDescription(child.Info).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
                await child.EncodeAsync(ChunkRanges.All, context.Output, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobStoreException missing) when (missing.Error is BlobError.NotFound or BlobError.Expired)
            {
                await new ErrorReply(StatusOf(missing.Error), missing.Message) { Hash = entry.Hash }.WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// PUSH: the client sends the verified encoding of some ranges of a blob it has; every verified
    /// block is kept (even if the stream later fails verification), committed durably, and the
    /// blob is completed once every block is present.
    /// </summary>
    private async Task<BlobAvailability> PushAsync(PushRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        // One push of a blob at a time: concurrent pushes of the same blob would race to complete
        // it and write into files another has already moved into place.
        SemaphoreSlim gate;
        lock (_pushGates)
        {
            if (!_pushGates.TryGetValue(request.Hash, out (SemaphoreSlim Gate, int Users) entry))
            {
                entry = (new SemaphoreSlim(1, 1), 0);
            }

            _pushGates[request.Hash] = (entry.Gate, entry.Users + 1);
            gate = entry.Gate;
        }

        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await PushAloneAsync(request, context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
        finally
        {
            lock (_pushGates)
            {
                (SemaphoreSlim Gate, int Users) entry = _pushGates[request.Hash];
                if (entry.Users == 1)
                {
                    _pushGates.Remove(request.Hash);
                    entry.Gate.Dispose();
                }
                else
                {
                    _pushGates[request.Hash] = (entry.Gate, entry.Users - 1);
                }
            }
        }
    }

    private async Task<BlobAvailability> PushAloneAsync(PushRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        Blake3Hash hash = request.Hash;
        if (await _store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            // Already complete here: nothing to receive.
            context.StopReading(0);
            return Complete(await _store.InfoAsync(hash, cancellationToken).ConfigureAwait(false));
        }

        PartialBlob partial = _store.OpenPartial(hash, request.Size);
        try
        {
            await BaoDecoder.DecodeAsync(context.Input, hash, request.Size, request.Ranges, partial, requireEnd: true, cancellationToken).ConfigureAwait(false);
            await partial.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BaoVerificationException error)
        {
            if (!partial.IsCompleting)
            {
                await partial.CommitAsync(cancellationToken).ConfigureAwait(false);
                _store.DiscardIfEmpty(partial);
            }

            throw new BlobProtocolException(BlobStatus.HashMismatch, $"the pushed data does not verify (the blocks before the fault were kept): {error.Message}");
        }
        catch (Exception error) when (error is not OperationCanceledException && partial.IsCompleting)
        {
            // A concurrent push (or replica fetch) of the same blob completed it under this one, whose
            // writes then met closed files (ObjectDisposedException, or an IOException from the ring):
            // nothing is missing, the blob is (about to be) stored.
        }

        if (partial.IsCompleting)
        {
            await partial.Finished.WaitAsync(cancellationToken).ConfigureAwait(false);
            return Complete(await _store.InfoAsync(hash, cancellationToken).ConfigureAwait(false));
        }

        return partial.IsComplete
            ? Complete(await _store.CompletePartialAsync(partial, request.Ttl, cancellationToken: cancellationToken).ConfigureAwait(false))
            : new BlobAvailability(hash, request.Size, partial.Present(), Complete: false);
    }

    /// <summary>
    /// OBSERVE: what of a blob is present here, now and as it changes — one reply per change,
    /// ending once the blob is complete.
    /// </summary>
    private async Task ObserveAsync(ObserveRequest request, BlobRequestContext context, CancellationToken cancellationToken)
    {
        Blake3Hash hash = request.Hash;
        while (true)
        {
            if (await _store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
            {
                await Complete(await _store.InfoAsync(hash, cancellationToken).ConfigureAwait(false)).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
                return;
            }

            PartialBlob? partial = _store.FindPartial(hash);
            if (partial is null)
            {
                // Completed between the two looks: the store has it now.
                if (await _store.HasAsync(hash, cancellationToken).ConfigureAwait(false))
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

            await new BlobAvailability(hash, partial.Size, partial.Present(), Complete: false).WriteAsync(context.Output, cancellationToken).ConfigureAwait(false);
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static BlobAvailability Complete(BlobInfo blob) => new(blob.Hash, blob.Size, ChunkRanges.All, Complete: true);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob request failed on disk")]
    private static partial void IoFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob request failed (a bug): answered 500")]
    private static partial void RequestFailed(ILogger logger, Exception error);
}
