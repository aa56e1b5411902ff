using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Blobs.Client;

/// <summary>
/// A download <see cref="BlobFetcher.PlanAsync"/> has prepared: what the blob is (its size, and
/// its collection if it is one) and the connected providers. <see cref="DownloadAsync"/> writes it;
/// disposing closes the connections the fetcher opened (never the asked silo's client).
/// </summary>
public sealed class FetchPlan : IAsyncDisposable
{
    private readonly IReadOnlyList<BlobClient> _providers;
    private readonly BlobClient _borrowed;
    private readonly IReadOnlyDictionary<SiloTicket, string> _dropped;
    private readonly IReadOnlyList<string> _warnings;
    private readonly long _checkpointBytes;
    private readonly SiloConnector? _connect;

    internal FetchPlan(
        Blake3Hash hash, long size, BlobCollection? collection, IReadOnlyList<BlobClient> providers, BlobClient borrowed,
        IReadOnlyDictionary<SiloTicket, string> skipped, IReadOnlyDictionary<SiloTicket, string> dropped, IReadOnlyList<string> warnings, long checkpointBytes,
        SiloConnector? connect = null)
    {
        _connect = connect;
        Hash = hash;
        Size = size;
        Collection = collection;
        _providers = providers;
        _borrowed = borrowed;
        Skipped = skipped;
        _dropped = dropped;
        _warnings = warnings;
        _checkpointBytes = checkpointBytes;
    }

    /// <summary>The blob.</summary>
    public Blake3Hash Hash { get; }

    /// <summary>Bytes in the blob (for a collection, in the collection blob itself).</summary>
    public long Size { get; }

    /// <summary>The decoded collection when the blob is one (decided from its verified bytes), else null.</summary>
    public BlobCollection? Collection { get; }

    /// <summary>True when <see cref="DownloadAsync"/> writes a directory, not a file.</summary>
    public bool IsCollection => Collection is not null;

    /// <summary>Bytes <see cref="DownloadAsync"/> writes and reports progress against: the blob, or all of a collection's files.</summary>
    public long TotalBytes => Collection?.Entries.Sum(e => e.Size) ?? Size;

    /// <summary>The providers the download will use, first the one that told what the blob is.</summary>
    public IReadOnlyList<SiloTicket> Providers => [.. _providers.Select(p => p.Silo)];

    /// <summary>Providers left out because they could not be connected to, and why. Those that failed a request are in <see cref="FetchResult.Dropped"/>.</summary>
    public IReadOnlyDictionary<SiloTicket, string> Skipped { get; }

    /// <summary>
    /// Writes the blob to <paramref name="path"/>: a collection as a directory (its files split
    /// across the providers, or all on one stream when there is one provider), anything else as a
    /// file through <c>PATH.partial</c>, resuming an earlier attempt's verified prefix (one
    /// provider: <see cref="BlobDownload.ToFileAsync"/>; several: <see cref="Downloader.DownloadAsync"/>,
    /// in 4 MiB pieces). Nothing that exists is replaced unless <paramref name="overwrite"/>
    /// (<see cref="DownloadTargets"/>), and a refusal comes before the first byte is written.
    /// </summary>
    /// <param name="path">The file, or for a collection the directory, to write.</param>
    /// <param name="overwrite">Replace an existing file, or a collection's files that exist with other content.</param>
    /// <param name="progress">Bytes written so far, of <see cref="TotalBytes"/>.</param>
    /// <param name="cancellationToken">Stops the download; a file download resumes from where it stopped.</param>
    /// <exception cref="TargetExistsException">The download would replace something (nothing was written).</exception>
    /// <exception cref="BlobProtocolException">The only provider refused, or lacks some of the collection's files (404, naming them; the others were written).</exception>
    /// <exception cref="Transport.QuicException">The only provider could not be reached, or went away.</exception>
    /// <exception cref="Hashing.Verified.BaoVerificationException">The only provider sent bytes that do not verify; nothing unverified was written.</exception>
    /// <exception cref="ProvidersFailedException">With several providers, every one failed for some piece or file.</exception>
    /// <exception cref="IOException">A local file could not be read or written.</exception>
    public async Task<FetchResult> DownloadAsync(string path, bool overwrite = false, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var used = new FetchResult(Hash, path, Size, IsCollection, Providers) { Warnings = _warnings, Dropped = _dropped };
        if (Collection is { } collection)
        {
            if (_providers.Count == 1)
            {
                var (_, missing) = await _providers[0].GetCollectionAsync(Hash, path, progress, overwrite, cancellationToken).ConfigureAwait(false);
                return missing.Count == 0
                    ? used
                    : throw new BlobProtocolException(
                        BlobStatus.NotFound, $"{missing.Count} of {collection.Entries.Count} files are not on the silo: {string.Join(", ", missing.Select(m => m.Path))}");
            }

            DownloadReport files = await new Downloader(_providers) { Connect = _connect }
                .DownloadCollectionAsync(Hash, collection, path, SplitStrategy.Split, progress, overwrite, cancellationToken).ConfigureAwait(false);
            return used with { Dropped = Merge(files.Failures), BytesByProvider = files.BytesByProvider };
        }

        DownloadTargets.CheckFile(path, overwrite);
        if (_providers.Count == 1)
        {
            var perBlock = progress is null ? null : new InlineProgress<(long Done, long Total)>(p => progress.Report(p.Done));
            FileDownloadResult file = await BlobDownload.ToFileAsync(_providers[0], Hash, path, perBlock, _checkpointBytes, overwrite, cancellationToken).ConfigureAwait(false);
            return used with
            {
                Resumed = file.Resumed, Discarded = file.Discarded, Warnings = [.. _warnings, .. file.Warnings],
                BytesByProvider = new Dictionary<SiloTicket, long> { [_providers[0].Silo] = file.Fetched },
            };
        }

        DownloadReport pieces = await new Downloader(_providers) { CheckpointBytes = _checkpointBytes }
            .DownloadAsync(Hash, path, SplitStrategy.Split, progress, overwrite, cancellationToken).ConfigureAwait(false);
        return used with
        {
            Resumed = pieces.Resumed, Discarded = pieces.Discarded, Warnings = [.. _warnings, .. pieces.Warnings], Dropped = Merge(pieces.Failures),
            BytesByProvider = pieces.BytesByProvider,
        };
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (BlobClient provider in _providers.Where(p => !ReferenceEquals(p, _borrowed)))
        {
            await provider.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Dictionary<SiloTicket, string> Merge(IReadOnlyDictionary<SiloTicket, string> duringDownload) =>
        _dropped.Concat(duringDownload).GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Last().Value);
}
