using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// Downloads from several providers: one blob cut into pieces of whole blocks into a file, a
/// collection file by file, or what a silo's partial blob lacks (<see cref="FillAsync"/>: replica
/// copies, transfer channels). Providers take work from a shared queue, every block is verified against its
/// hash before it is written, and a provider that fails — unreachable, refusing, or sending bytes
/// that do not verify — is dropped while its piece goes back to the queue for the others.
/// </summary>
public sealed class Downloader(IReadOnlyList<BlobClient> providers)
{
    /// <summary>Blocks per piece: 4 MiB, large enough to keep a stream busy, small enough to rebalance.</summary>
    public const int PieceBlocks = 256;

    /// <summary>Verified bytes between fsync + record of a file download's prefix (default 8 MiB, as <see cref="BlobDownload"/>).</summary>
    public long CheckpointBytes { get; init; } = BlobDownload.DefaultCheckpointBytes;

    /// <summary>
    /// Opens clients of other silos so that a collection's file that a provider redirects (307: a
    /// cluster places each file by its own hash, so it may live on silos that do not hold the
    /// collection) is fetched from the silos named; null (the default) treats a redirect as that
    /// provider's failure. Clients it opens are disposed when the download ends.
    /// </summary>
    public SiloConnector? Connect { get; init; }

    /// <summary>Bytes per piece of a <see cref="FillAsync"/> (default 4 MiB, <see cref="PieceBlocks"/> blocks); rounded down to whole blocks, at least one.</summary>
    public long PieceBytes
    {
        get => _pieceBytes;
        init => _pieceBytes = value >= BaoTree.BlockSize ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"A piece is at least one block ({BaoTree.BlockSize} bytes).");
    }

    private readonly long _pieceBytes = PieceBlocks * BaoTree.BlockSize;

    /// <summary>
    /// Downloads <paramref name="hash"/> to <paramref name="path"/> (via <see cref="DownloadPaths.Partial"/>,
    /// renamed when complete). An existing <paramref name="path"/> is replaced only if <paramref name="overwrite"/>.
    /// Resumes like <see cref="BlobDownload"/>: the recorded prefix of an earlier attempt is
    /// re-verified against the hash tree and only what verifies is kept; the contiguous verified
    /// prefix is fsynced and recorded every <see cref="CheckpointBytes"/>.
    /// </summary>
    /// <exception cref="TargetExistsException"><paramref name="path"/> exists (nothing was written).</exception>
    /// <exception cref="IOException">Every provider failed; the message lists why.</exception>
    public async Task<DownloadReport> DownloadAsync(
        Blake3Hash hash, string path, SplitStrategy strategy = SplitStrategy.Split, IProgress<long>? progress = null, bool overwrite = false,
        CancellationToken cancellationToken = default)
    {
        DownloadTargets.CheckFile(path, overwrite);
        if (providers.Count == 0)
        {
            throw new InvalidOperationException("This downloader was given no providers: pass at least one connected client.");
        }

        var failures = new ConcurrentDictionary<SiloTicket, Exception>();
        long size = await SizeAsync(hash, failures, cancellationToken).ConfigureAwait(false);
        var checkpoint = new DownloadCheckpoint(path, hash);
        long recorded = checkpoint.ReadRecordedLength(out string? ignored);
        long blocks = BaoTree.BlockCount(size);
        DownloadReport report;
        using (SafeFileHandle file = checkpoint.OpenPartial(resume: recorded > 0))
        {
            PartialCheck check = recorded > 0 ? await VerifyPartialAsync(hash, file, recorded, failures, cancellationToken).ConfigureAwait(false) : PartialCheck.Nothing;
            if (recorded > 0 && check.Prefix != recorded)
            {
                await checkpoint.RecordAsync(check.Prefix, cancellationToken).ConfigureAwait(false);
            }

            // Pieces cover what was not kept, never straddling a kept run.
            var pieces = new List<(long First, long Count)>();
            var kept = check.KeptRanges.Select(r => (First: r.Start / BaoTree.BlockSize, End: r.End / BaoTree.BlockSize)).ToList();
            for (long first = 0; first < blocks;)
            {
                if (kept.FirstOrDefault(k => k.First == first) is { End: > 0 } run)
                {
                    first = run.End;
                    continue;
                }

                long next = kept.Where(k => k.First > first).Select(k => k.First).DefaultIfEmpty(blocks).Min();
                long count = Math.Min(PieceBlocks, next - first);
                pieces.Add((first, count));
                first += count;
            }

            using var prefix = new VerifiedPrefix(file, checkpoint, check, CheckpointBytes);
            progress?.Report(check.Kept);
            try
            {
                report = await RunAsync(
                    $"Downloading {hash}", size, pieces, strategy, failures, progress is null ? null : new InlineProgress<long>(done => progress.Report(check.Kept + done)),
                    async (provider, piece) =>
                    {
                        using var run = new CoalescingFileSink(file);
                        var sink = new CountingSink(run);
                        ChunkRanges ranges = ChunkRanges.Range((ulong)piece.First * BaoTree.ChunksPerBlock, (ulong)(piece.First + piece.Count) * BaoTree.ChunksPerBlock);
                        await provider.GetAsync(hash, sink, ranges, cancellationToken).ConfigureAwait(false);
                        await run.FlushAsync(cancellationToken).ConfigureAwait(false);
                        await prefix.CompletedAsync(piece.First * BaoTree.BlockSize, Math.Min(size, (piece.First + piece.Count) * BaoTree.BlockSize), cancellationToken).ConfigureAwait(false);
                        return sink.Bytes;
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await prefix.SaveAsync().ConfigureAwait(false);
                throw;
            }

            RandomAccess.SetLength(file, size);
            RandomAccess.FlushToDisk(file);
            report = report with { Resumed = check.Kept, Discarded = check.Discarded, Warnings = checkpoint.Warnings(ignored, check.Discarded) };
        }

        checkpoint.Complete(path, overwrite);
        return report;
    }

    /// <summary>
    /// Fills what <paramref name="target"/> (a silo's partial blob: a replica copy, a transfer
    /// channel's receiving side) does not hold yet from the providers, in pieces of
    /// <see cref="PieceBytes"/>: with <see cref="SplitStrategy.Split"/> every provider takes the
    /// next missing piece (iroh-blobs' split download), with <see cref="SplitStrategy.None"/>
    /// the next provider goes on where the last one failed. Every block is verified before the
    /// target keeps it, and what arrived is committed (<see cref="IResumableBaoSink.CommitAsync"/>)
    /// in the background while the next pieces stream, so an interrupted fill resumes with only
    /// what is missing. A <paramref name="pacer"/> sizes and stops pieces and counts what became durable.
    /// </summary>
    /// <param name="hash">The blob.</param>
    /// <param name="target">Where verified blocks go; its <see cref="IResumableBaoSink.Present"/> blocks are not asked for.</param>
    /// <param name="strategy">Split across providers (default) or one after another.</param>
    /// <param name="pacer">Terms of the caller (a channel's data limit, pause, byte count); null: none.</param>
    /// <param name="transferId">The transfer channel the pieces are asked under (the provider checks it), or null for a plain GET.</param>
    /// <param name="cancellationToken">Stops the fill; what verified before it is committed.</param>
    /// <returns>Who delivered what; <see cref="DownloadReport.Stopped"/> if the pacer stopped it before the end.</returns>
    /// <exception cref="QuicException">The only provider could not be reached or went away (what it delivered is kept).</exception>
    /// <exception cref="BlobProtocolException">The only provider refused.</exception>
    /// <exception cref="BaoVerificationException">The only provider sent bytes that do not verify.</exception>
    /// <exception cref="ProvidersFailedException">Every one of several providers failed; the message lists why.</exception>
    /// <exception cref="IOException">The target could not be written or made durable.</exception>
    public Task<DownloadReport> FillAsync(
        Blake3Hash hash, IResumableBaoSink target, SplitStrategy strategy = SplitStrategy.Split, IFetchPacer? pacer = null, ulong? transferId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (providers.Count == 0)
        {
            throw new InvalidOperationException("This downloader was given no providers: pass at least one connected client.");
        }

        return strategy == SplitStrategy.Split
            ? new PartialFill(providers, hash, target, PieceBytes, pacer, transferId).RunAsync(cancellationToken)
            : FillInTurnAsync(hash, target, pacer, transferId, cancellationToken);
    }

    private async Task<DownloadReport> FillInTurnAsync(Blake3Hash hash, IResumableBaoSink target, IFetchPacer? pacer, ulong? transferId, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<SiloTicket, Exception>();
        long before = target.Present().ByteCount(target.Size);
        foreach (BlobClient provider in providers)
        {
            try
            {
                DownloadReport report = await new PartialFill([provider], hash, target, PieceBytes, pacer, transferId).RunAsync(cancellationToken).ConfigureAwait(false);
                return report with
                {
                    Resumed = before,
                    Failures = ProvidersFailedException.DescribeEach(failures).Concat(report.Failures).ToDictionary(),
                };
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
            {
                failures[provider.Silo] = error;
            }
        }

        throw ProvidersFailedException.For($"Fetching {hash} failed: every provider failed", failures);
    }

    /// <summary>
    /// Downloads the collection <paramref name="hash"/> into <paramref name="directory"/> as
    /// <see cref="DownloadCollectionAsync(Blake3Hash, BlobCollection, string, SplitStrategy, IProgress{long}?, bool, CancellationToken)"/>
    /// does, after reading the collection from the first provider that delivers it. For a blob
    /// that may or may not be a collection, <see cref="BlobFetcher"/> decides and picks the download.
    /// </summary>
    /// <exception cref="NotACollectionException">The blob is not a collection (<see cref="CollectionProbe"/>; nothing was written).</exception>
    /// <exception cref="TargetExistsException">The download would replace files (nothing was written).</exception>
    /// <exception cref="ProvidersFailedException">No provider delivered the collection, or some file could not be had from any provider; the message lists why.</exception>
    public async Task<DownloadReport> DownloadCollectionAsync(
        Blake3Hash hash, string directory, SplitStrategy strategy = SplitStrategy.Split, IProgress<long>? progress = null, bool overwrite = false,
        CancellationToken cancellationToken = default)
    {
        var failures = new ConcurrentDictionary<SiloTicket, Exception>();
        foreach (BlobClient provider in providers)
        {
            BlobCollection? collection;
            try
            {
                (_, collection, _, string? problem) = await CollectionProbe.ProbeAsync(provider, hash, cancellationToken).ConfigureAwait(false);
                if (collection is null)
                {
                    throw new NotACollectionException(hash, problem!);
                }
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
            {
                failures[provider.Silo] = error;
                continue;
            }

            return await DownloadCollectionAsync(hash, collection, directory, strategy, progress, overwrite, failures, cancellationToken).ConfigureAwait(false);
        }

        throw new ProvidersFailedException($"No provider delivered the collection {hash}", failures);
    }

    /// <summary>
    /// Downloads the files of <paramref name="collection"/> (the decoded blob <paramref name="hash"/>)
    /// into <paramref name="directory"/> (created, with every directory the collection lists), split
    /// across providers: each file whole from one provider, verified; a failed file goes to another
    /// provider. Before writing anything it applies <see cref="DownloadTargets.CheckCollectionAsync"/>:
    /// files that exist with other content are replaced only if <paramref name="overwrite"/>.
    /// </summary>
    /// <exception cref="TargetExistsException">The download would replace files (nothing was written).</exception>
    /// <exception cref="ProvidersFailedException">Some file could not be had from any provider; the message lists why.</exception>
    public Task<DownloadReport> DownloadCollectionAsync(
        Blake3Hash hash, BlobCollection collection, string directory, SplitStrategy strategy = SplitStrategy.Split, IProgress<long>? progress = null,
        bool overwrite = false, CancellationToken cancellationToken = default) =>
        DownloadCollectionAsync(hash, collection, directory, strategy, progress, overwrite, new ConcurrentDictionary<SiloTicket, Exception>(), cancellationToken);

    private async Task<DownloadReport> DownloadCollectionAsync(
        Blake3Hash hash, BlobCollection collection, string directory, SplitStrategy strategy, IProgress<long>? progress, bool overwrite,
        ConcurrentDictionary<SiloTicket, Exception> failures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        await DownloadTargets.CheckCollectionAsync(directory, collection, overwrite, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        foreach (string emptyDirectory in collection.Directories)
        {
            Directory.CreateDirectory(BlobCollection.Resolve(directory, emptyDirectory));
        }

        IReadOnlyDictionary<string, string> partials = DownloadPaths.ForCollection(directory, collection);
        var holders = Connect is { } connect ? new SiloClients(connect) : null;
        try
        {
            return await RunAsync(
                $"Downloading collection {hash}", collection.Entries.Sum(e => e.Size), collection.Entries, strategy, failures, progress,
                async (provider, entry) =>
                {
                    string target = BlobCollection.Resolve(directory, entry);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    string partial = partials[target];
                    var file = new FileStream(PosixFiles.OpenTemporary(partial, truncate: true), FileAccess.Write, bufferSize: 0);
                    await using (file.ConfigureAwait(false))
                    {
                        BlobInfo child = await FromProviderOrHolderAsync(provider, entry.Hash, file, holders, cancellationToken).ConfigureAwait(false);
                        if (child.Size != entry.Size)
                        {
                            throw new BlobProtocolException(BlobStatus.BadRequest, $"'{entry.Path}' is {child.Size} bytes on this provider, {entry.Size} in the collection");
                        }

                        file.Flush(flushToDisk: true);
                    }

                    File.Move(partial, target, overwrite: true);
                    return entry.Size;
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (holders is not null)
            {
                await holders.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Downloads <paramref name="hash"/> whole into <paramref name="file"/> from <paramref name="provider"/>,
    /// or, when it redirects and <paramref name="holders"/> are given (<see cref="Connect"/> is set), from the first silo it names that delivers.
    /// </summary>
    private static async Task<BlobInfo> FromProviderOrHolderAsync(
        BlobClient provider, Blake3Hash hash, FileStream file, SiloClients? holders, CancellationToken cancellationToken)
    {
        try
        {
            return await provider.GetToStreamAsync(hash, file, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobProtocolException redirect) when (redirect.Status == BlobStatus.Redirect && redirect.Providers.Count > 0 && holders is not null)
        {
            Exception last = redirect;
            foreach (SiloTicket holder in redirect.Providers)
            {
                try
                {
                    BlobClient client = await holders.GetAsync(holder, cancellationToken).ConfigureAwait(false);
                    file.SetLength(0);
                    file.Position = 0;
                    return await client.GetToStreamAsync(hash, file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
                {
                    last = error;
                }
            }

            // Every silo named failed too: this provider's turn at the file ends with the last reason.
            ExceptionDispatchInfo.Throw(last);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="fetch"/> over the items with the providers. Items wait in a channel
    /// completed only when every item is done: a worker that finds it empty waits, because an item
    /// in flight elsewhere may fail and come back. A failing provider requeues its item and stops.
    /// </summary>
    private async Task<DownloadReport> RunAsync<T>(
        string what, long total, IEnumerable<T> items, SplitStrategy strategy, ConcurrentDictionary<SiloTicket, Exception> failures,
        IProgress<long>? progress, Func<BlobClient, T, Task<long>> fetch, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<T>();
        int remaining = 0;
        foreach (T item in items)
        {
            queue.Writer.TryWrite(item);
            remaining++;
        }

        if (remaining == 0)
        {
            queue.Writer.TryComplete();
        }

        var delivered = new ConcurrentDictionary<SiloTicket, long>();
        long done = 0;

        async Task WorkAsync(BlobClient provider)
        {
            while (await queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!queue.Reader.TryRead(out T? item))
                {
                    continue;
                }

                long bytes;
                try
                {
                    bytes = await fetch(provider, item).ConfigureAwait(false);
                }
                catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
                {
                    // What was verified and written is right; the item is simply fetched again elsewhere.
                    queue.Writer.TryWrite(item);
                    failures[provider.Silo] = error;
                    return;
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // A local failure (the disk, a file in the way) is no provider's fault and no other
                    // provider can fix it: stop every worker, which would otherwise wait for this item forever.
                    queue.Writer.TryComplete(error);
                    throw;
                }

                delivered.AddOrUpdate(provider.Silo, bytes, (_, sum) => sum + bytes);
                progress?.Report(Interlocked.Add(ref done, bytes));
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    queue.Writer.TryComplete();
                }
            }
        }

        BlobClient[] working = [.. providers.Where(p => !failures.ContainsKey(p.Silo))];
        if (strategy == SplitStrategy.Split)
        {
            await Task.WhenAll(working.Select(WorkAsync)).ConfigureAwait(false);
        }
        else
        {
            foreach (BlobClient provider in working)
            {
                await WorkAsync(provider).ConfigureAwait(false);
                if (Volatile.Read(ref remaining) == 0)
                {
                    break;
                }
            }
        }

        if (Volatile.Read(ref remaining) > 0)
        {
            throw new ProvidersFailedException($"{what} failed: every provider failed", failures);
        }

        return new DownloadReport(total, delivered, ProvidersFailedException.DescribeEach(failures));
    }

    /// <summary>Re-verifies an earlier attempt's recorded prefix with the first provider that answers.</summary>
    private async Task<PartialCheck> VerifyPartialAsync(
        Blake3Hash hash, SafeFileHandle file, long recorded, ConcurrentDictionary<SiloTicket, Exception> failures, CancellationToken cancellationToken)
    {
        foreach (BlobClient provider in providers.Where(p => !failures.ContainsKey(p.Silo)))
        {
            try
            {
                return await BlobDownload.VerifyPartialAsync(provider, hash, file, recorded, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
            {
                failures[provider.Silo] = error;
            }
        }

        // Nobody could vouch for the old bytes: start afresh (the download itself will say why if it fails too).
        return PartialCheck.From([], recorded);
    }

    private async Task<long> SizeAsync(Blake3Hash hash, ConcurrentDictionary<SiloTicket, Exception> failures, CancellationToken cancellationToken)
    {
        foreach (BlobClient provider in providers)
        {
            try
            {
                return (await provider.InfoAsync(hash, cancellationToken).ConfigureAwait(false)).Size;
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException)
            {
                failures[provider.Silo] = error;
            }
        }

        throw new ProvidersFailedException($"No provider has {hash}", failures);
    }

    private sealed class CountingSink(IBaoSink inner) : IBaoSink
    {
        public long Bytes { get; private set; }

        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) =>
            inner.OnParentAsync(firstBlock, blocks, children, cancellationToken);

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            Bytes += data.Length;
            return inner.OnBlockAsync(block, data, cancellationToken);
        }
    }
}
