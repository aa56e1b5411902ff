using System.Buffers;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.IO;
using Granary.Storage.Scrub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Granary.Storage.Blobs;

/// <summary>
/// Content-addressed blobs on local disk: for each blob a data file and its outboard (verification
/// tree), under <c>blobs/&lt;first two hex digits&gt;/&lt;hash&gt;.data|.obao</c>, with size and
/// expiry in the metadata store.
/// </summary>
/// <remarks>
/// An upload is written to <c>tmp/</c> while it is hashed (data and outboard in one pass),
/// fsynced, checked against the hash the uploader declared, renamed into place (outboard first,
/// data second), the directory fsynced, and only then recorded and acknowledged. A crash at any
/// point leaves the old state or the complete new blob: opening the store empties
/// <c>tmp/</c> and removes files no metadata row vouches for (an upload that was never
/// acknowledged), and rows whose files are gone.
/// </remarks>
public sealed partial class BlobStore : IAsyncDisposable
{
    private const int CopyBufferSize = 1 << 20;

    /// <summary>
    /// An upload's data is handed to the disk every this many bytes while it arrives
    /// (<see cref="Durability.StartWriteback"/>): left to the final fsync, 1 GiB took ~1 s to
    /// write on the benchmark machine's disk, with the network idle.
    /// </summary>
    private const long WritebackBytes = 8L << 20;

    /// <summary>Disk space uploads may not take: 64 MiB, for SQLite and outboards.</summary>
    private const long FreeSpaceMargin = 64L << 20;

    private readonly BlobStoreOptions _options;
    private readonly IFileIo _io;
    private readonly IBlobMetadataStore _metadata;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _blobs;
    private readonly string _temporary;
    private readonly string _partial;
    private readonly string _quarantine;
    private readonly Dictionary<Blake3Hash, PartialBlob> _partials = [];
    private long _reserved;

    private BlobStore(BlobStoreOptions options, IFileIo io, IBlobMetadataStore metadata, TimeProvider time, ILogger logger)
    {
        _options = options;
        _io = io;
        _metadata = metadata;
        _time = time;
        _logger = logger;
        _blobs = Path.Combine(options.Directory, "blobs");
        _temporary = Path.Combine(options.Directory, "tmp");
        _partial = Path.Combine(options.Directory, "partial");
        _quarantine = Path.Combine(options.Directory, "quarantine");
    }

    /// <summary>
    /// Opens the store in <see cref="BlobStoreOptions.Directory"/> (creating it), with SQLite
    /// metadata unless <paramref name="metadata"/> is given, and repairs what a crash left.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range (<see cref="BlobStoreOptions.Validate"/>); nothing was opened.</exception>
    public static async Task<BlobStore> OpenAsync(
        BlobStoreOptions options, IFileIo io, IBlobMetadataStore? metadata = null, TimeProvider? time = null, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Directory.CreateDirectory(options.Directory);
        metadata ??= await SqliteBlobMetadataStore.OpenAsync(Path.Combine(options.Directory, "metadata.db"), cancellationToken).ConfigureAwait(false);
        var store = new BlobStore(options, io, metadata, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
        await store.RecoverAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <summary>
    /// Stores the bytes of <paramref name="source"/> to its end. With <paramref name="declaredSize"/>
    /// the upload must be exactly that long; with <paramref name="expectedHash"/> it must hash to
    /// that. Content already stored is not stored again: its expiry moves to the later of the two.
    /// Returns only once the blob is durable. <paramref name="created"/> (default: now) is for a
    /// replica of a blob the cluster already records.
    /// </summary>
    /// <exception cref="BlobStoreException">Too large, shorter or longer than declared, or not the declared hash; nothing was stored.</exception>
    public async Task<BlobInfo> ImportAsync(
        Stream source, long? declaredSize = null, TimeSpan? ttl = null, Blake3Hash? expectedHash = null,
        string? uploader = null, string tags = "", DateTimeOffset? created = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (declaredSize is { } declared && (declared < 0 || declared > _options.MaxBlobSize))
        {
            throw new BlobStoreException(BlobError.TooLarge, $"A blob of {declared} bytes is not accepted: the most this store takes is {_options.MaxBlobSize} bytes.");
        }

        string id = Guid.NewGuid().ToString("N");
        string temporaryData = Path.Combine(_temporary, id + ".data");
        string temporaryOutboard = Path.Combine(_temporary, id + ".obao");
        Blake3Hash hash;
        long size;
        try
        {
            (hash, size) = await WriteTemporaryAsync(source, temporaryData, temporaryOutboard, declaredSize, cancellationToken).ConfigureAwait(false);
            if (expectedHash is { } expected && expected != hash)
            {
                throw new BlobStoreException(BlobError.HashMismatch, $"The uploaded data hashes to {hash}, not to the declared {expected}; it was not stored.");
            }
        }
        catch
        {
            File.Delete(temporaryData);
            File.Delete(temporaryOutboard);
            throw;
        }

        DateTimeOffset now = _time.GetUtcNow();
        var blob = new BlobInfo(hash, size, created ?? now, now + _options.ClampTtl(ttl)) { Uploader = uploader, Tags = tags };
        if (await _metadata.GetAsync(hash, cancellationToken).ConfigureAwait(false) is not null && File.Exists(DataPath(hash)))
        {
            // Already here: keep the stored copy, extend its life.
            File.Delete(temporaryData);
            File.Delete(temporaryOutboard);
            return await _metadata.UpsertAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        string shard = Path.GetDirectoryName(DataPath(hash))!;
        Directory.CreateDirectory(shard);
        File.Move(temporaryOutboard, OutboardPath(hash), overwrite: true);
        File.Move(temporaryData, DataPath(hash), overwrite: true);
        Durability.SyncDirectory(shard);
        return await _metadata.UpsertAsync(blob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every blob recorded in this store (expired ones not yet swept included).</summary>
    public Task<IReadOnlyList<Blake3Hash>> HashesAsync(CancellationToken cancellationToken = default) => _metadata.AllHashesAsync(cancellationToken);

    /// <summary>How many blobs this store holds and their total size.</summary>
    public Task<(long Blobs, long Bytes)> StatsAsync(CancellationToken cancellationToken = default) => _metadata.StatsAsync(cancellationToken);

    /// <summary>True if the blob is stored complete and not expired.</summary>
    public async Task<bool> HasAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        await _metadata.GetAsync(hash, cancellationToken).ConfigureAwait(false) is { } info && info.Expires > _time.GetUtcNow();

    /// <summary>
    /// The partial blob for <paramref name="hash"/> of <paramref name="size"/> bytes, created on first
    /// use; one instance per hash, shared by everyone pushing or observing it.
    /// </summary>
    /// <exception cref="BlobStoreException">The size is beyond the store's limit.</exception>
    public PartialBlob OpenPartial(Blake3Hash hash, long size)
    {
        if (size < 0 || size > _options.MaxBlobSize)
        {
            throw new BlobStoreException(BlobError.TooLarge, $"A blob of {size} bytes is not accepted: the most this store takes is {_options.MaxBlobSize} bytes.");
        }

        lock (_partials)
        {
            if (_partials.TryGetValue(hash, out PartialBlob? open))
            {
                return open.Size == size
                    ? open
                    : throw new BlobStoreException(BlobError.SizeConflict, $"Blob {hash} is being received as {open.Size} bytes, not {size}; a blob has one size, so one of the two senders is wrong.");
            }

            Directory.CreateDirectory(_partial);
            var partial = new PartialBlob(hash, size, _io, _partial);
            _partials[hash] = partial;
            return partial;
        }
    }

    /// <summary>The partial blob being received for <paramref name="hash"/>, if any.</summary>
    public PartialBlob? FindPartial(Blake3Hash hash)
    {
        lock (_partials)
        {
            return _partials.GetValueOrDefault(hash);
        }
    }

    /// <summary>
    /// Moves a complete partial blob into place (as an import does: rename, directory fsync, then
    /// the metadata row) and returns it as stored. With <paramref name="record"/> (a replica of a
    /// blob the cluster knows) the row takes its creation time, uploader and tags.
    /// </summary>
    public async Task<BlobInfo> CompletePartialAsync(PartialBlob partial, TimeSpan? ttl = null, BlobInfo? record = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (!partial.IsComplete)
        {
            throw new InvalidOperationException($"Blob {partial.Hash} is not complete: {partial.Present()} of its chunks are present.");
        }

        if (!partial.TryClaimCompletion())
        {
            // Another writer of the same blob (a concurrent push, a replica fetch) is moving it into
            // place: wait for that, then answer from the store like everyone else.
            await partial.Finished.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await InfoAsync(partial.Hash, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await MoveIntoPlaceAsync(partial, ttl, record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened, waiters must wake: they find the blob stored, or not.
            partial.MarkFinished();
        }
    }

    /// <summary>
    /// Drops a partial blob that holds no committed block — what a push that failed before its first
    /// verified block leaves behind — so that it neither keeps its files and handles open nor pins
    /// the blob's size for the next, honest, push. A partial with blocks is kept: they are verified.
    /// </summary>
    /// <returns>True if it was dropped.</returns>
    public bool DiscardIfEmpty(PartialBlob partial) => Discard(partial, onlyIfEmpty: true);

    /// <summary>
    /// Drops a partial blob with whatever verified blocks it holds (a cancelled transfer channel
    /// that was not asked to keep them). A partial being moved into place is left alone.
    /// </summary>
    /// <returns>True if it was dropped.</returns>
    public bool DiscardPartial(PartialBlob partial) => Discard(partial, onlyIfEmpty: false);

    private bool Discard(PartialBlob partial, bool onlyIfEmpty)
    {
        ArgumentNullException.ThrowIfNull(partial);
        lock (_partials)
        {
            if ((onlyIfEmpty && !partial.Present().IsEmpty) || partial.IsCompleting || !_partials.TryGetValue(partial.Hash, out PartialBlob? open) || open != partial || !partial.TryClaimCompletion())
            {
                return false;
            }

            _partials.Remove(partial.Hash);
        }

        partial.Dispose();
        foreach (string file in new[] { partial.DataPath, partial.OutboardPath })
        {
            File.Delete(file);
        }

        partial.DeleteRecord();
        partial.MarkFinished();
        return true;
    }

    private async Task<BlobInfo> MoveIntoPlaceAsync(PartialBlob partial, TimeSpan? ttl, BlobInfo? record, CancellationToken cancellationToken)
    {
        partial.Dispose();
        if (partial.Resumed)
        {
            await ReverifyResumedAsync(partial, cancellationToken).ConfigureAwait(false);
        }

        string shard = Path.GetDirectoryName(DataPath(partial.Hash))!;
        Directory.CreateDirectory(shard);
        File.Move(partial.OutboardPath, OutboardPath(partial.Hash), overwrite: true);
        File.Move(partial.DataPath, DataPath(partial.Hash), overwrite: true);
        Durability.SyncDirectory(shard);
        partial.DeleteRecord();
        DateTimeOffset now = _time.GetUtcNow();
        BlobInfo stored = await _metadata.UpsertAsync(
            new BlobInfo(partial.Hash, partial.Size, record?.Created ?? now, now + _options.ClampTtl(ttl)) { Uploader = record?.Uploader, Tags = record?.Tags ?? string.Empty },
            cancellationToken).ConfigureAwait(false);

        // Row first, then forget the partial, then wake observers: whoever wakes finds the blob stored.
        lock (_partials)
        {
            _partials.Remove(partial.Hash);
        }

        return stored;
    }

    /// <summary>
    /// A partial blob resumed from an earlier process trusted its record of present blocks; the
    /// files may have been damaged since. Before it becomes a stored blob its data is hashed whole
    /// and its outboard rebuilt from that data (so a damaged outboard cannot survive either). On a
    /// mismatch <see cref="BaoDamageLocator"/> finds the damaged blocks, which are recorded as
    /// missing (the next attempt fetches only those); a copy whose damage cannot be located (its
    /// files cut short) is discarded whole.
    /// </summary>
    /// <exception cref="BlobStoreException">HashMismatch: the data no longer has the blob's hash; nothing was stored.</exception>
    private async Task ReverifyResumedAsync(PartialBlob partial, CancellationToken cancellationToken)
    {
        string rebuilt = partial.OutboardPath + ".check";
        Blake3Hash root;
        long size;
        var data = new FileStream(partial.DataPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        await using (data.ConfigureAwait(false))
        {
            var outboard = new FileStream(rebuilt, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            await using (outboard.ConfigureAwait(false))
            {
                (root, size) = await BaoOutboardBuilder.CreateAsync(data, outboard, cancellationToken).ConfigureAwait(false);
                outboard.Flush(flushToDisk: true);
            }
        }

        if (root == partial.Hash && size == partial.Size)
        {
            File.Move(rebuilt, partial.OutboardPath, overwrite: true);
            return;
        }

        lock (_partials)
        {
            _partials.Remove(partial.Hash);
        }

        // Only the damaged blocks are dropped: the rest of a large copy (it verified block by block
        // when it arrived) is kept for the next attempt, which fetches just what was dropped.
        IReadOnlyList<(long FirstBlock, long Blocks)> damaged = [];
        if (size == partial.Size)
        {
            using SafeFileHandle dataFile = File.OpenHandle(partial.DataPath);
            using SafeFileHandle storedFile = File.OpenHandle(partial.OutboardPath);
            using SafeFileHandle rebuiltFile = File.OpenHandle(rebuilt);
            try
            {
                damaged = await BaoDamageLocator.LocateAsync(
                    partial.Hash, partial.Size, new FileRandomAccessStorage(dataFile), new FileRandomAccessStorage(storedFile), new FileRandomAccessStorage(rebuiltFile), cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                damaged = []; // an outboard cut short: nothing can be told apart, all goes
            }
        }

        File.Delete(rebuilt);
        if (damaged.Count > 0)
        {
            partial.Forget(damaged);
            long bytes = damaged.Sum(d => Math.Min(partial.Size, (d.FirstBlock + d.Blocks) * BaoTree.BlockSize) - (d.FirstBlock * BaoTree.BlockSize));
            PartialDamaged(_logger, partial.Hash, bytes, partial.Size);
            throw new BlobStoreException(
                BlobError.HashMismatch,
                $"{bytes} bytes of the partial copy of blob {partial.Hash} that this silo resumed no longer have its hash (its files changed on disk after they were recorded): those were dropped and must be fetched again; the other {partial.Size - bytes} bytes are kept.");
        }

        foreach (string file in new[] { partial.DataPath, partial.OutboardPath })
        {
            File.Delete(file);
        }

        partial.DeleteRecord();
        PartialDiscarded(_logger, partial.Hash, size);
        throw new BlobStoreException(
            BlobError.HashMismatch,
            $"The partial copy of blob {partial.Hash} that this silo resumed no longer has its hash (its files changed on disk after they were recorded); it was discarded and must be fetched again.");
    }

    /// <summary>The blob's metadata.</summary>
    /// <exception cref="BlobStoreException">Unknown or expired.</exception>
    public async Task<BlobInfo> InfoAsync(Blake3Hash hash, CancellationToken cancellationToken = default) =>
        Live(await _metadata.GetAsync(hash, cancellationToken).ConfigureAwait(false) ?? throw await MissingAsync(hash, cancellationToken).ConfigureAwait(false), hash);

    /// <summary>The blob's damage record if its copy here failed a scrub and was quarantined (and it was not stored again since).</summary>
    public Task<BlobDamage?> DamageAsync(Blake3Hash hash, CancellationToken cancellationToken = default) => _metadata.DamageAsync(hash, cancellationToken);

    /// <summary>Every blob whose copy here is marked damaged (quarantined by a scrub, not stored again since), oldest finding first.</summary>
    public Task<IReadOnlyList<BlobDamage>> ListDamagedAsync(CancellationToken cancellationToken = default) => _metadata.ListDamagedAsync(cancellationToken);

    /// <summary>Up to <paramref name="limit"/> blobs whose last verification is at or before <paramref name="verifiedBefore"/>, longest unverified first.</summary>
    public Task<IReadOnlyList<BlobInfo>> DueForScrubAsync(DateTimeOffset verifiedBefore, int limit, CancellationToken cancellationToken = default) =>
        _metadata.DueForScrubAsync(verifiedBefore, limit, cancellationToken);

    /// <summary>
    /// Re-reads a stored blob through <paramref name="wrapData"/> (the scrubber's pacing) and checks
    /// that its data still has its hash and size and that its outboard is exactly the one the data
    /// makes. On success the blob is marked verified now. Returns null if it verified or is no
    /// longer stored, else what failed, in words (a file missing or that cannot be opened counts: the
    /// copy cannot be served); the caller quarantines (<see cref="QuarantineAsync"/>).
    /// </summary>
    /// <exception cref="IOException">Reading failed midway (not taken as a verdict: it may pass).</exception>
    public async Task<string?> VerifyStoredAsync(BlobInfo blob, Func<Stream, Stream> wrapData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(wrapData);
        FileStream? data = null, outboard = null;
        try
        {
            // FileShare.Delete: a blob deleted or expiring meanwhile may be unlinked under the scrub.
            data = OpenForScrub(DataPath(blob.Hash), FileOptions.SequentialScan | FileOptions.Asynchronous);
            outboard = OpenForScrub(OutboardPath(blob.Hash), FileOptions.SequentialScan);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            data?.Dispose();
            // A file this silo cannot open is a copy it cannot serve: damaged, unless the blob went meanwhile.
            return await _metadata.GetAsync(blob.Hash, cancellationToken).ConfigureAwait(false) is null
                ? null
                : error is UnauthorizedAccessException ? $"a file of it cannot be opened ({error.Message})" : "a file of it is missing";
        }

        await using (data.ConfigureAwait(false))
        await using (outboard.ConfigureAwait(false))
        {
            var comparison = new OutboardComparison(outboard);
            (Blake3Hash root, long size) = await BaoOutboardBuilder.CreateAsync(wrapData(data), comparison, cancellationToken).ConfigureAwait(false);
            string? problem = size != blob.Size ? (size > blob.Size ? $"its data is longer than {blob.Size} bytes" : $"its data is {size} bytes, not {blob.Size}")
                : root != blob.Hash ? $"its data hashes to {root}, not to {blob.Hash}"
                : !comparison.Matches ? $"its outboard (hash tree) differs from the one its data makes, first at byte {comparison.FirstDifference ?? Math.Min(comparison.Length, outboard.Length)}"
                : null;
            if (problem is null)
            {
                await _metadata.MarkScrubbedAsync(blob.Hash, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            return problem;
        }
    }

    /// <summary>Opens a stored file for the scrub; a directory in its place throws <see cref="UnauthorizedAccessException"/> (.NET on Linux), like a file without read permission.</summary>
    private static FileStream OpenForScrub(string path, FileOptions options) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, options);

    /// <summary>
    /// Takes a damaged copy out of service: its row moves to the damaged list first (from then on it
    /// is neither served, listed nor counted, and a request for it is told why), then its files move
    /// to <c>quarantine/</c> for inspection. Storing the blob again (a repair, an upload) clears the mark.
    /// Returns the damage record, or null if the blob was not stored.
    /// </summary>
    public async Task<BlobDamage?> QuarantineAsync(Blake3Hash hash, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (!await _metadata.MarkDamagedAsync(hash, _time.GetUtcNow(), reason, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        Directory.CreateDirectory(_quarantine);
        foreach ((string from, string extension) in new[] { (DataPath(hash), ".data"), (OutboardPath(hash), ".obao") })
        {
            if (File.Exists(from))
            {
                File.Move(from, Path.Combine(_quarantine, hash + extension), overwrite: true);
            }
        }

        Quarantined(_logger, hash, reason);
        return await _metadata.DamageAsync(hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The blob's row even if it has expired here (for reconciling with the cluster's record); null if not stored.</summary>
    public Task<BlobInfo?> RecordAsync(Blake3Hash hash, CancellationToken cancellationToken = default) => _metadata.GetAsync(hash, cancellationToken);

    /// <summary>Opens a blob for reading (data and outboard, for <see cref="BaoEncoder"/>).</summary>
    /// <exception cref="BlobStoreException">Unknown or expired.</exception>
    public async Task<BlobReader> OpenReaderAsync(Blake3Hash hash, CancellationToken cancellationToken = default)
    {
        BlobInfo info = await InfoAsync(hash, cancellationToken).ConfigureAwait(false);
        try
        {
            // FileShare.Delete: an expiring blob may be unlinked while a download still reads it.
            SafeFileHandle data = File.OpenHandle(DataPath(hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            SafeFileHandle outboard = File.OpenHandle(OutboardPath(hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            return new BlobReader(info, new FileStorage(_io, data), new FileStorage(_io, outboard));
        }
        catch (FileNotFoundException)
        {
            throw new BlobStoreException(BlobError.NotFound, $"Blob {hash} was deleted while being opened.");
        }
    }

    /// <summary>Moves the blob's expiry to at least now + <paramref name="ttl"/> (clamped); never earlier.</summary>
    /// <exception cref="BlobStoreException">Unknown or expired.</exception>
    public async Task<BlobInfo> ExtendAsync(Blake3Hash hash, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        _ = await InfoAsync(hash, cancellationToken).ConfigureAwait(false);
        BlobInfo? extended = await _metadata.ExtendAsync(hash, _time.GetUtcNow() + _options.ClampTtl(ttl), cancellationToken).ConfigureAwait(false);
        return extended ?? throw NotFound(hash);
    }

    /// <summary>
    /// Makes this store's row of a blob agree with the cluster's record of it (creation time,
    /// uploader, tags; the later expiry, clamped like any TTL). Null if the blob is not here.
    /// </summary>
    public async Task<BlobInfo?> AdoptAsync(BlobInfo record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        DateTimeOffset now = _time.GetUtcNow();
        return await _metadata.AdoptAsync(record with { Expires = now + _options.ClampTtl(record.Expires - now) }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a blob; false if there was none.</summary>
    public async Task<bool> DeleteAsync(Blake3Hash hash, CancellationToken cancellationToken = default)
    {
        // Row first: once it is gone the blob is not served, and recovery removes stray files.
        bool existed = await _metadata.DeleteAsync(hash, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(Path.GetDirectoryName(DataPath(hash))))
        {
            // File.Delete tolerates a missing file but not a missing shard directory.
            File.Delete(DataPath(hash));
            File.Delete(OutboardPath(hash));
        }

        return existed;
    }

    /// <summary>
    /// Deletes every expired blob from disk; returns how many. With <paramref name="confirm"/>
    /// (a silo in a cluster) each expired blob is first checked against the authoritative expiry
    /// it returns: a later one is adopted and the blob kept; null (the authority could not be
    /// asked) keeps it until the next sweep.
    /// </summary>
    public async Task<int> SweepExpiredAsync(Func<BlobInfo, CancellationToken, Task<DateTimeOffset?>>? confirm = null, CancellationToken cancellationToken = default)
    {
        int swept = 0;
        var kept = new HashSet<Blake3Hash>();
        while (true)
        {
            IReadOnlyList<BlobInfo> expired = await _metadata.ExpiredAsync(_time.GetUtcNow(), 1000 + kept.Count, cancellationToken).ConfigureAwait(false);
            int fresh = 0;
            foreach (BlobInfo blob in expired.Where(b => !kept.Contains(b.Hash)))
            {
                fresh++;
                DateTimeOffset? authoritative = confirm is null ? blob.Expires : await confirm(blob, cancellationToken).ConfigureAwait(false);
                if (authoritative is not { } expires || expires > _time.GetUtcNow())
                {
                    if (authoritative is { } later)
                    {
                        await _metadata.ExtendAsync(blob.Hash, later, cancellationToken).ConfigureAwait(false);
                    }

                    kept.Add(blob.Hash);
                    continue;
                }

                await DeleteAsync(blob.Hash, cancellationToken).ConfigureAwait(false);
                swept++;
            }

            if (fresh == 0 || expired.Count < 1000 + kept.Count)
            {
                return swept;
            }
        }
    }

    /// <summary>Sweeps every <see cref="BlobStoreOptions.SweepInterval"/> until cancelled.</summary>
    /// <param name="cancellationToken">Stops the sweeper.</param>
    /// <param name="confirm">Checks an expired blob against the cluster's expiry first (see <see cref="SweepExpiredAsync"/>); null: the local expiry decides.</param>
    public async Task RunSweeperAsync(CancellationToken cancellationToken, Func<BlobInfo, CancellationToken, Task<DateTimeOffset?>>? confirm = null)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                int swept = await SweepExpiredAsync(confirm, cancellationToken).ConfigureAwait(false);
                if (swept > 0)
                {
                    Swept(_logger, swept);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        lock (_partials)
        {
            foreach (PartialBlob partial in _partials.Values)
            {
                partial.Dispose();
            }

            _partials.Clear();
        }

        return _metadata.DisposeAsync();
    }

    internal string DataPath(Blake3Hash hash) => BlobPath(hash, ".data");

    internal string OutboardPath(Blake3Hash hash) => BlobPath(hash, ".obao");

    private string BlobPath(Blake3Hash hash, string extension)
    {
        string hex = hash.ToString();
        return Path.Combine(_blobs, hex[..2], hex + extension);
    }

    private BlobInfo Live(BlobInfo? info, Blake3Hash hash)
    {
        if (info is null)
        {
            throw NotFound(hash);
        }

        return info.Expires > _time.GetUtcNow()
            ? info
            : throw new BlobStoreException(BlobError.Expired, $"Blob {hash} expired at {info.Expires:u}; upload it again to keep it.");
    }

    private static BlobStoreException NotFound(Blake3Hash hash) => new(BlobError.NotFound, $"No blob {hash} is stored here.");

    /// <summary>Not stored: damaged (quarantined by a scrub, said so with when and why) or simply not here.</summary>
    private async Task<BlobStoreException> MissingAsync(Blake3Hash hash, CancellationToken cancellationToken) =>
        await _metadata.DamageAsync(hash, cancellationToken).ConfigureAwait(false) is { } damage
            ? new BlobStoreException(
                BlobError.Damaged,
                $"This silo's copy of blob {hash} failed verification at {damage.Found:u} ({damage.Reason}) and was quarantined; it is not served. Fetch it from another replica, or upload it again.")
            : NotFound(hash);

    private async Task<(Blake3Hash Hash, long Size)> WriteTemporaryAsync(
        Stream source, string dataPath, string outboardPath, long? declaredSize, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_temporary);
        long reserved = ReserveSpace(declaredSize ?? 0);
        try
        {
            return await WriteTemporaryCoreAsync(source, dataPath, outboardPath, declaredSize, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _reserved, -reserved);
        }
    }

    /// <summary>
    /// True if <paramref name="bytes"/> more fit on this store's disk beside the uploads in progress
    /// and the metadata margin: what a silo asks before it fetches a copy from another (a repair must
    /// not fill the disk it was asked to store on).
    /// </summary>
    public bool HasRoomFor(long bytes) =>
        bytes <= new DriveInfo(Directory.Exists(_partial) ? _partial : _options.Directory).AvailableFreeSpace - FreeSpaceMargin - Interlocked.Read(ref _reserved);

    /// <summary>
    /// Refuses, before any data moves, a blob of <paramref name="size"/> bytes that <see cref="ImportAsync"/>
    /// would refuse: larger than <see cref="BlobStoreOptions.MaxBlobSize"/>, or more than the disk has
    /// free beside the uploads in progress. What a placed put checks before its go-ahead; the import
    /// checks again (space may go meanwhile).
    /// </summary>
    /// <exception cref="BlobStoreException">TooLarge, in the words the import would use.</exception>
    public void CheckFits(long size)
    {
        if (size < 0 || size > _options.MaxBlobSize)
        {
            throw new BlobStoreException(BlobError.TooLarge, $"A blob of {size} bytes is not accepted: the most this store takes is {_options.MaxBlobSize} bytes.");
        }

        Directory.CreateDirectory(_temporary);
        Interlocked.Add(ref _reserved, -ReserveSpace(size));
    }

    /// <summary>
    /// Holds <paramref name="declared"/> bytes of the disk for an upload that preallocates them: a
    /// size a client declares must fit in what is free after the uploads already in progress and a
    /// margin for metadata, or a few large declarations would fill the disk before any data came.
    /// </summary>
    /// <exception cref="BlobStoreException">TooLarge: it does not fit; nothing was written.</exception>
    private long ReserveSpace(long declared)
    {
        if (declared == 0)
        {
            return 0;
        }

        long free = new DriveInfo(_temporary).AvailableFreeSpace - FreeSpaceMargin;
        long reserved = Interlocked.Add(ref _reserved, declared);
        if (reserved > free)
        {
            Interlocked.Add(ref _reserved, -declared);
            throw new BlobStoreException(
                BlobError.TooLarge,
                $"The upload declares {declared} bytes, more than this silo's disk has free ({Math.Max(0, free - (reserved - declared))} bytes after the uploads in progress and a {FreeSpaceMargin >> 20} MiB margin); nothing was stored. Free space on the silo, or send it to another.");
        }

        return declared;
    }

    private async Task<(Blake3Hash Hash, long Size)> WriteTemporaryCoreAsync(
        Stream source, string dataPath, string outboardPath, long? declaredSize, CancellationToken cancellationToken)
    {
        using SafeFileHandle data = File.OpenHandle(dataPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, declaredSize ?? 0);
        var outboard = new FileStream(outboardPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        await using (outboard.ConfigureAwait(false))
        {
            using var builder = new BaoOutboardBuilder(outboard);
            long limit = declaredSize ?? _options.MaxBlobSize;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
            try
            {
                long size = 0;
                long writtenBack = 0;
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (size + read > limit)
                    {
                        throw declaredSize is { } declared
                            ? new BlobStoreException(BlobError.TooMuchData, $"The upload declared {declared} bytes but sent more; nothing was stored.")
                            : new BlobStoreException(BlobError.TooLarge, $"The upload passed {_options.MaxBlobSize} bytes, the most this store takes; nothing was stored.");
                    }

                    await _io.WriteAsync(data, size, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    await builder.AppendAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                    if (size - writtenBack >= WritebackBytes)
                    {
                        Durability.StartWriteback(data, writtenBack, size - writtenBack);
                        writtenBack = size;
                    }
                }

                if (declaredSize is { } expectedSize && size != expectedSize)
                {
                    throw new BlobStoreException(BlobError.TooLittleData, $"The upload declared {expectedSize} bytes but ended after {size}; nothing was stored.");
                }

                Blake3Hash hash = await builder.FinishAsync(cancellationToken).ConfigureAwait(false);
                await _io.FlushToDiskAsync(data, cancellationToken).ConfigureAwait(false);
                outboard.Flush(flushToDisk: true);
                return (hash, size);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Empties tmp/ and makes files and metadata agree after a crash.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(_temporary))
        {
            foreach (string file in Directory.EnumerateFiles(_temporary))
            {
                File.Delete(file);
            }
        }

        Directory.CreateDirectory(_blobs);
        var recorded = new HashSet<Blake3Hash>(await _metadata.AllHashesAsync(cancellationToken).ConfigureAwait(false));
        foreach (string file in Directory.EnumerateFiles(_blobs, "*", SearchOption.AllDirectories))
        {
            if (!Blake3Hash.TryParse(Path.GetFileNameWithoutExtension(file), out Blake3Hash hash) || !recorded.Contains(hash))
            {
                // Renamed into place, but the upload was never acknowledged: it never existed.
                File.Delete(file);
                RemovedOrphan(_logger, file);
            }
        }

        foreach (Blake3Hash hash in recorded)
        {
            if (!File.Exists(DataPath(hash)) || !File.Exists(OutboardPath(hash)))
            {
                await _metadata.DeleteAsync(hash, cancellationToken).ConfigureAwait(false);
                LostFiles(_logger, hash.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped {Bytes} damaged bytes of the resumed partial copy of {Hash} ({Size} bytes): they no longer have its hash (changed on disk since they were recorded); they will be fetched again, the rest is kept")]
    private static partial void PartialDamaged(ILogger logger, Blake3Hash hash, long bytes, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discarded the resumed partial copy of {Hash} ({Size} bytes): its files no longer have its hash (changed on disk since they were recorded); it will be fetched again")]
    private static partial void PartialDiscarded(ILogger logger, Blake3Hash hash, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Hash} failed verification on disk ({Reason}): quarantined, no longer served")]
    private static partial void Quarantined(ILogger logger, Blake3Hash hash, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired blobs")]
    private static partial void Swept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {File}: no metadata vouches for it (an upload interrupted before it was acknowledged)")]
    private static partial void RemovedOrphan(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Hash} is recorded but its files are gone; forgetting it")]
    private static partial void LostFiles(ILogger logger, string hash);
}
