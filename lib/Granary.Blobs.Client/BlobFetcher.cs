using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// The one download orchestrator, behind <c>granary get</c> and Get-Blob: it locates a blob's
/// replicas, chooses the providers, decides once, from verified data, whether the blob is a
/// collection (<see cref="CollectionProbe"/>), and then downloads a file (resumable, from one
/// provider or split across several), a collection into a directory, or a byte range into memory.
/// </summary>
/// <remarks>
/// Providers, in order: the silo <paramref name="client"/> talks to if it holds the blob, the other
/// replicas <see cref="BlobClient.LocateAsync"/> names, then <see cref="ExtraProviders"/>.
/// Splitting one blob across providers is seed 000's SplitStrategy (iroh-blobs); see
/// <see cref="Downloader"/>. A download is two steps, <see cref="PlanAsync"/> then
/// <see cref="FetchPlan.DownloadAsync"/>, because what is written (a file or a directory) is only
/// known after the first step, and front ends ask the user in between (-WhatIf).
/// </remarks>
/// <param name="client">A connected client of the silo the user asked; the caller keeps and disposes it.</param>
/// <param name="connect">Connects to the other providers; the fetcher disposes what it connects.</param>
public sealed class BlobFetcher(BlobClient client, SiloConnector connect)
{
    private readonly BlobClient _client = client ?? throw new ArgumentNullException(nameof(client));
    private readonly SiloConnector _connect = connect ?? throw new ArgumentNullException(nameof(connect));

    /// <summary>More silos that hold the blob, as the user named them (<c>--also-from</c>); tried after the replicas.</summary>
    public IReadOnlyList<SiloTicket> ExtraProviders { get; init; } = [];

    /// <summary>
    /// Download from one provider only: the asked silo when it holds the blob, else the first other
    /// provider that answers. Default false: every provider that answers shares the work.
    /// </summary>
    public bool SingleProvider { get; init; }

    /// <summary>Verified bytes between fsync + record of a file download's prefix (default 8 MiB, <see cref="BlobDownload.DefaultCheckpointBytes"/>).</summary>
    public long CheckpointBytes { get; init; } = BlobDownload.DefaultCheckpointBytes;

    /// <summary>
    /// Locates <paramref name="hash"/>, connects to its providers and learns what it is: its size,
    /// and its collection if it is one. A provider that cannot be connected to is left out
    /// (<see cref="FetchPlan.Skipped"/>); one that fails that first request is dropped, as it
    /// would be during the download (<see cref="FetchResult.Dropped"/>). Dispose the plan to close
    /// the connections it opened.
    /// </summary>
    /// <exception cref="BlobProtocolException">No silo holds the blob (404) or it expired (410), or the asked silo, the only provider, refused.</exception>
    /// <exception cref="QuicException">The asked silo, the only provider, could not be reached or went away.</exception>
    /// <exception cref="BaoVerificationException">The asked silo, the only provider, sent bytes that do not verify.</exception>
    /// <exception cref="ProvidersFailedException">Every provider failed, and not only the asked silo; <see cref="ProvidersFailedException.Failures"/> says why each.</exception>
    public async Task<FetchPlan> PlanAsync(Blake3Hash hash, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SiloTicket> candidates = await CandidatesAsync(hash, cancellationToken).ConfigureAwait(false);
        var failures = new Dictionary<SiloTicket, Exception>();
        var providers = new List<BlobClient>();
        try
        {
            foreach (SiloTicket candidate in candidates)
            {
                if (SingleProvider && providers.Count == 1)
                {
                    break;
                }

                try
                {
                    providers.Add(IsAsked(candidate) ? _client : await _connect(candidate, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception error) when (error is QuicException or BlobProtocolException)
                {
                    failures[candidate] = error;
                }
            }

            // The first provider that answers tells what the blob is; the others will be asked for bytes only.
            var skipped = ProvidersFailedException.DescribeEach(failures);
            while (providers.Count > 0)
            {
                BlobClient first = providers[0];
                try
                {
                    var (size, collection, startsLikeOne, problem) = await CollectionProbe.ProbeAsync(first, hash, cancellationToken).ConfigureAwait(false);
                    string[] warnings = collection is null && startsLikeOne
                        ? [$"{hash} starts like a collection but is not one ({problem}): it is written as a file, as it is"]
                        : [];
                    var dropped = ProvidersFailedException.DescribeEach(failures).Where(f => !skipped.ContainsKey(f.Key)).ToDictionary();
                    var plan = new FetchPlan(hash, size, collection, providers, _client, skipped, dropped, warnings, CheckpointBytes, _connect);
                    providers = [];
                    return plan;
                }
                catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
                {
                    failures[first.Silo] = error;
                    providers.RemoveAt(0);
                    await ReleaseAsync(first).ConfigureAwait(false);
                }
            }

            throw Failed($"No silo holding {hash} could be reached", failures);
        }
        finally
        {
            foreach (BlobClient provider in providers)
            {
                await ReleaseAsync(provider).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads bytes [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="hash"/>
    /// into memory, every block verified, from one provider: the asked silo if it holds the blob,
    /// else the other providers in turn until one delivers. <paramref name="end"/> is clipped to
    /// the blob's size; null reads to the end. No collection is looked for: these are the blob's bytes.
    /// </summary>
    /// <param name="hash">The blob.</param>
    /// <param name="start">First byte, from 0.</param>
    /// <param name="end">End (exclusive), or null for the blob's end.</param>
    /// <param name="maxLength">The most bytes the caller will hold (default: no limit); checked before anything is fetched.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative or <paramref name="end"/> is not after it.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is past the end of a non-empty blob.</exception>
    /// <exception cref="RangeTooLargeException">The range holds more than <paramref name="maxLength"/> bytes.</exception>
    /// <exception cref="BlobProtocolException">No silo holds the blob (404), it expired (410), or the asked silo, the only provider, refused.</exception>
    /// <exception cref="QuicException">The asked silo, the only provider, could not be reached.</exception>
    /// <exception cref="BaoVerificationException">The asked silo, the only provider, sent bytes that do not verify.</exception>
    /// <exception cref="ProvidersFailedException">Every provider failed, and not only the asked silo.</exception>
    public async Task<FetchedRange> ReadAsync(Blake3Hash hash, long start = 0, long? end = null, long maxLength = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (end is { } last)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(last, start, nameof(end));
        }

        var failures = new Dictionary<SiloTicket, Exception>();
        foreach (SiloTicket candidate in await CandidatesAsync(hash, cancellationToken).ConfigureAwait(false))
        {
            BlobClient? provider = null;
            try
            {
                provider = IsAsked(candidate) ? _client : await _connect(candidate, cancellationToken).ConfigureAwait(false);
                BlobInfo info = await provider.InfoAsync(hash, cancellationToken).ConfigureAwait(false);
                long stop = Math.Min(end ?? info.Size, info.Size);
                if (start >= info.Size && info.Size > 0)
                {
                    throw new ArgumentException($"Range starts at {start} but blob {hash} has only {info.Size} bytes.");
                }

                if (stop - start > maxLength)
                {
                    throw new RangeTooLargeException(stop - start, maxLength);
                }

                // An empty range still asks for a chunk: the reply proves the size.
                using var sink = new RangeSink(start, stop);
                await provider.GetAsync(hash, sink, ChunkRanges.Bytes((ulong)start, (ulong)Math.Max(stop, start + 1)), cancellationToken).ConfigureAwait(false);
                return new FetchedRange(hash, info.Size, start, sink.ToArray(), provider.Silo);
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
            {
                failures[candidate] = error;
            }
            finally
            {
                if (provider is not null)
                {
                    await ReleaseAsync(provider).ConfigureAwait(false);
                }
            }
        }

        throw Failed($"No silo holding {hash} delivered it", failures);
    }

    /// <summary>The asked silo if it holds the blob, the other replicas, then the extra providers; each node once.</summary>
    private async Task<IReadOnlyList<SiloTicket>> CandidatesAsync(Blake3Hash hash, CancellationToken cancellationToken)
    {
        IReadOnlyList<SiloTicket> replicas;
        bool here;
        try
        {
            replicas = await _client.LocateAsync(hash, cancellationToken).ConfigureAwait(false);

            // An empty answer is an older silo's "here".
            here = replicas.Count == 0 || replicas.Any(IsAsked);
        }
        catch (BlobProtocolException missing) when (missing.Status is BlobStatus.NotFound or BlobStatus.Gone && ExtraProviders.Count > 0)
        {
            // The cluster lacks it (a silo alone says so with a 404), but providers from elsewhere (--also-from, a swarm) may not.
            (replicas, here) = ([], false);
        }

        var candidates = new List<SiloTicket>();
        foreach (SiloTicket silo in (here ? [_client.Silo] : Array.Empty<SiloTicket>()).Concat(replicas).Concat(ExtraProviders))
        {
            if (!candidates.Any(c => c.Node == silo.Node) && (here || !IsAsked(silo)))
            {
                candidates.Add(silo);
            }
        }

        return candidates;
    }

    private bool IsAsked(SiloTicket silo) => silo.Node == _client.Silo.Node;

    private ValueTask ReleaseAsync(BlobClient provider) => ReferenceEquals(provider, _client) ? ValueTask.CompletedTask : provider.DisposeAsync();

    /// <summary>
    /// When only the asked silo was tried, its own failure says more (and front ends word it as
    /// they always have); with others involved, every provider's failure is kept.
    /// </summary>
    private Exception Failed(string what, Dictionary<SiloTicket, Exception> failures) =>
        ProvidersFailedException.For(what, failures, loneSpeaksForItself: failures.Keys.All(IsAsked));

    /// <summary>Keeps the verified bytes in [start, end).</summary>
    private sealed class RangeSink(long start, long end) : IBaoSink, IDisposable
    {
        private readonly MemoryStream _bytes = new();

        public ValueTask OnParentAsync(long firstBlock, long blocks, ReadOnlyMemory<byte> children, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnBlockAsync(long block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            long blockStart = block * BaoTree.BlockSize;
            long from = Math.Max(start, blockStart);
            long to = Math.Min(end, blockStart + data.Length);
            if (to > from)
            {
                _bytes.Position = from - start;
                _bytes.Write(data.Span[(int)(from - blockStart)..(int)(to - blockStart)]);
            }

            return ValueTask.CompletedTask;
        }

        public byte[] ToArray() => _bytes.ToArray();

        public void Dispose() => _bytes.Dispose();
    }
}
