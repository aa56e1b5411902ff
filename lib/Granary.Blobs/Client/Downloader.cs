using System.Collections.Concurrent;
using System.Threading.Channels;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>How a download uses several providers (iroh-blobs' SplitStrategy, seed 000).</summary>
public enum SplitStrategy
{
    /// <summary>One provider at a time; the next takes over when one fails.</summary>
    None,

    /// <summary>All providers at once, each fetching different block ranges of the blob.</summary>
    Split,
}

/// <summary>How a multi-provider download went.</summary>
/// <param name="Size">Bytes in the blob.</param>
/// <param name="BytesByProvider">Verified bytes each provider delivered.</param>
/// <param name="Failures">Providers that were dropped, and why.</param>
public sealed record DownloadReport(long Size, IReadOnlyDictionary<SiloTicket, long> BytesByProvider, IReadOnlyDictionary<SiloTicket, string> Failures);

/// <summary>
/// Downloads one blob from several providers. The blob is cut into pieces of whole blocks;
/// providers take pieces from a shared queue, every block is verified against the hash before it
/// is written, and a provider that fails — unreachable, refusing, or sending bytes that do not
/// verify — is dropped while its piece goes back to the queue for the others.
/// </summary>
public sealed class Downloader(IReadOnlyList<BlobClient> providers)
{
    /// <summary>Blocks per piece: 4 MiB, large enough to keep a stream busy, small enough to rebalance.</summary>
    public const int PieceBlocks = 256;

    /// <summary>Downloads <paramref name="hash"/> to <paramref name="path"/> (via PATH.partial, renamed when complete).</summary>
    /// <exception cref="IOException">Every provider failed; the message lists why.</exception>
    public async Task<DownloadReport> DownloadAsync(
        Blake3Hash hash, string path, SplitStrategy strategy = SplitStrategy.Split, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (providers.Count == 0)
        {
            throw new InvalidOperationException("This downloader was given no providers: pass at least one connected client.");
        }

        var failures = new ConcurrentDictionary<SiloTicket, string>();
        long size = await SizeAsync(hash, failures, cancellationToken).ConfigureAwait(false);
        string partial = path + ".partial";
        // Pieces wait in a channel that is completed only when every piece is done: a worker that
        // finds it empty waits, because a piece in flight elsewhere may fail and come back.
        var pieces = Channel.CreateUnbounded<(long First, long Count)>();
        long blocks = BaoTree.BlockCount(size);
        int remaining = 0;
        for (long first = 0; first < blocks; first += PieceBlocks)
        {
            pieces.Writer.TryWrite((first, Math.Min(PieceBlocks, blocks - first)));
            remaining++;
        }

        var delivered = new ConcurrentDictionary<SiloTicket, long>();
        long done = 0;
        using (SafeFileHandle file = File.OpenHandle(partial, FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None, size))
        {
            var storage = new FileRandomAccessStorage(file);

            async Task WorkAsync(BlobClient provider)
            {
                while (await pieces.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!pieces.Reader.TryRead(out var piece))
                    {
                        continue;
                    }

                    var sink = new CountingSink(new StorageBaoSink(storage, null));
                    try
                    {
                        ChunkRanges ranges = ChunkRanges.Range((ulong)piece.First * BaoTree.ChunksPerBlock, (ulong)(piece.First + piece.Count) * BaoTree.ChunksPerBlock);
                        await provider.GetAsync(hash, sink, ranges, cancellationToken).ConfigureAwait(false);
                        delivered.AddOrUpdate(provider.Silo, sink.Bytes, (_, total) => total + sink.Bytes);
                        progress?.Report(Interlocked.Add(ref done, sink.Bytes));
                        if (Interlocked.Decrement(ref remaining) == 0)
                        {
                            pieces.Writer.TryComplete();
                        }
                    }
                    catch (Exception error) when (error is QuicException or BlobProtocolException or BaoVerificationException)
                    {
                        // Verified blocks already written are right; the piece is simply fetched again elsewhere.
                        pieces.Writer.TryWrite(piece);
                        failures[provider.Silo] = error.Message;
                        return;
                    }
                }
            }

            if (strategy == SplitStrategy.Split)
            {
                await Task.WhenAll(providers.Where(p => !failures.ContainsKey(p.Silo)).Select(WorkAsync)).ConfigureAwait(false);
            }
            else
            {
                foreach (BlobClient provider in providers.Where(p => !failures.ContainsKey(p.Silo)))
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
                throw new IOException(
                    $"Downloading {hash} failed: every provider failed. " + string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}")));
            }

            RandomAccess.FlushToDisk(file);
        }

        File.Move(partial, path, overwrite: true);
        return new DownloadReport(size, delivered, failures);
    }

    private async Task<long> SizeAsync(Blake3Hash hash, ConcurrentDictionary<SiloTicket, string> failures, CancellationToken cancellationToken)
    {
        foreach (BlobClient provider in providers)
        {
            try
            {
                return (await provider.InfoAsync(hash, cancellationToken).ConfigureAwait(false)).Size;
            }
            catch (Exception error) when (error is QuicException or BlobProtocolException)
            {
                failures[provider.Silo] = error.Message;
            }
        }

        throw new IOException($"No provider has {hash}: " + string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}")));
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
