using Granary.Blobs.Client;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Storage.Blobs;

namespace Granary.Blobs.Commands;

/// <summary>
/// Get-Blob: downloads blobs by hash or ticket, verified block by block. A file download resumes
/// from <c>DEST.partial</c>; with several replicas it is split across all of them; a collection
/// becomes a directory. <see cref="AsByteArray"/> returns small blobs (or a <see cref="Range"/>) as bytes.
/// </summary>
public sealed class GetBlobCommand
{
    /// <summary>The most <see cref="AsByteArray"/> returns: bigger blobs belong in files.</summary>
    public const long MaxByteArray = 64L << 20;

    private static int _activities;

    /// <summary>Hashes (64 hex digits) or blob tickets.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];

    /// <summary>The file to write, or a directory (the file is then named by the hash; a collection goes inside it).</summary>
    public string? Destination { get; init; }

    /// <summary>Only these bytes (start inclusive, end exclusive).</summary>
    public (long Start, long End)? Range { get; init; }

    /// <summary>Output the bytes instead of writing a file.</summary>
    public bool AsByteArray { get; init; }

    /// <summary>Use only the session's silo, not every replica.</summary>
    public bool SingleProvider { get; init; }

    /// <summary>
    /// Replace existing files. Without it (the default) a download that would replace a file, or a
    /// collection file with other content, is refused before anything is written
    /// (<see cref="DownloadTargets"/>); resuming from <c>DEST.partial</c> is not replacing.
    /// </summary>
    public bool Force { get; init; }

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public async Task RunAsync(GranarySession session, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        if (!AsByteArray && Destination is null)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, "Say where to write: -Destination PATH, or -AsByteArray for small blobs.", null));
        }

        if (Range is { } r && (r.Start < 0 || r.End <= r.Start))
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, $"Range {r.Start}-{r.End} is empty or negative: give START-END with END > START.", r));
        }

        foreach (string blob in Blobs)
        {
            host.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                Blake3Hash hash = ParseBlob(blob);
                if (AsByteArray || Range is not null)
                {
                    await GetBytesAsync(session, host, hash).ConfigureAwait(false);
                }
                else
                {
                    await GetToPathAsync(session, host, hash).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (CommandErrors.From(error, blob) is { Kind: not CommandErrorKind.Cancelled and not CommandErrorKind.Unauthorized and not CommandErrorKind.Unreachable } problem)
            {
                host.Report(problem);
            }
        }
    }

    /// <summary>A hash or a blob ticket.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static Blake3Hash ParseBlob(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (Blake3Hash.TryParse(blob.Trim(), out Blake3Hash hash))
        {
            return hash;
        }

        try
        {
            return BlobTicket.Parse(blob.Trim()).Hash;
        }
        catch (FormatException)
        {
            throw new FormatException($"'{blob}' is neither a blob hash (64 hex digits) nor a blob ticket (granary:<node>@<ip>:<port>/<hash>).");
        }
    }

    private async Task GetBytesAsync(GranarySession session, ICommandHost host, Blake3Hash hash)
    {
        BlobClient client = session.Client;
        IReadOnlyList<SiloTicket> replicas = await client.LocateAsync(hash, host.CancellationToken).ConfigureAwait(false);
        BlobClient? other = replicas.Count > 0 && replicas.All(r => r.Node != client.Silo.Node)
            ? await session.ConnectToAsync(replicas[0], host.CancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            BlobClient from = other ?? client;
            BlobInfo info = await from.InfoAsync(hash, host.CancellationToken).ConfigureAwait(false);
            (long start, long end) = Range ?? (0, info.Size);
            end = Math.Min(end, info.Size);
            if (start >= info.Size && info.Size > 0)
            {
                throw new ArgumentException($"Range starts at {start} but blob {hash} has only {info.Size} bytes.");
            }

            if (end - start > MaxByteArray)
            {
                throw new ArgumentException($"{end - start} bytes is too many for a byte array (at most {MaxByteArray}): use -Destination, or a smaller -Range.");
            }

            using var sink = new RangeSink(start, end);
            await from.GetAsync(hash, sink, ChunkRanges.Bytes((ulong)start, (ulong)Math.Max(end, start + 1)), host.CancellationToken).ConfigureAwait(false);
            byte[] bytes = sink.ToArray();
            if (AsByteArray)
            {
                host.Output(bytes);
                return;
            }

            string path = TargetFile(hash);
            DownloadTargets.CheckFile(path, Force);
            await File.WriteAllBytesAsync(path, bytes, host.CancellationToken).ConfigureAwait(false);
            host.Output(new DownloadedBlob { Hash = hash.ToString(), Path = path, Size = bytes.Length, Providers = [from.Silo.ToString()] });
        }
        finally
        {
            if (other is not null)
            {
                await other.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task GetToPathAsync(GranarySession session, ICommandHost host, Blake3Hash hash)
    {
        BlobClient client = session.Client;
        IReadOnlyList<SiloTicket> replicas = await client.LocateAsync(hash, host.CancellationToken).ConfigureAwait(false);
        BlobInfo info = await client.InfoAsync(hash, host.CancellationToken).ConfigureAwait(false);
        bool here = replicas.Count == 0 || replicas.Any(r => r.Node == client.Silo.Node);
        var others = SingleProvider ? [] : replicas.Where(r => r.Node != client.Silo.Node).ToList();
        if (!here && others.Count == 0)
        {
            others = [.. replicas];
        }

        int activity = Interlocked.Increment(ref _activities);
        var clients = new List<BlobClient>();
        try
        {
            if (here)
            {
                clients.Add(client);
            }

            foreach (SiloTicket replica in others)
            {
                try
                {
                    clients.Add(await session.ConnectToAsync(replica, host.CancellationToken).ConfigureAwait(false));
                }
                catch (Exception error) when (error is Transport.QuicException or BlobProtocolException)
                {
                    host.Verbose($"Replica {replica} skipped: {error.Message}");
                }
            }

            if (clients.Count == 0)
            {
                throw new GranaryCommandException(new(CommandErrorKind.Unreachable, $"No silo holding {hash} could be reached.", hash.ToString()));
            }

            bool collection = info.Size <= BlobCollection.MaxSize && await IsCollectionAsync(clients[0], hash, info.Size, host.CancellationToken).ConfigureAwait(false);
            string target = collection ? TargetDirectory(hash) : TargetFile(hash);
            if (!await host.ShouldProcessAsync(target, $"Write blob {hash}").ConfigureAwait(false))
            {
                return;
            }

            if (!collection)
            {
                DownloadTargets.CheckFile(target, Force);
            }

            var progress = new ThrottledProgress(host, activity, $"Downloading {hash.ToString()[..12]}", info.Size);
            var downloader = new Downloader(clients);
            if (collection)
            {
                await downloader.DownloadCollectionAsync(hash, target, SplitStrategy.Split, progress, Force, host.CancellationToken).ConfigureAwait(false);
            }
            else if (clients.Count == 1)
            {
                FileDownloadResult result = await BlobDownload.ToFileAsync(
                    clients[0], hash, target, new InlineProgress<(long Done, long Total)>(p => progress.Report(p.Done)), overwrite: Force, cancellationToken: host.CancellationToken).ConfigureAwait(false);
                ReportResume(host, target, result.Resumed, result.Warnings, info.Size);
            }
            else
            {
                DownloadReport report = await downloader.DownloadAsync(hash, target, SplitStrategy.Split, progress, Force, host.CancellationToken).ConfigureAwait(false);
                ReportResume(host, target, report.Resumed, report.Warnings, info.Size);
            }

            progress.Complete();
            host.Output(new DownloadedBlob
            {
                Hash = hash.ToString(), Path = target, Size = info.Size, IsCollection = collection, Providers = [.. clients.Select(c => c.Silo.ToString())],
            });
        }
        finally
        {
            foreach (BlobClient other in clients.Where(c => c != client))
            {
                await other.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Says what a resume kept, and warns about what it could not keep.</summary>
    private static void ReportResume(ICommandHost host, string target, long resumed, IReadOnlyList<string> warnings, long size)
    {
        foreach (string warning in warnings)
        {
            host.Warning(CommandErrors.Sentence(warning));
        }

        if (resumed > 0)
        {
            host.Verbose($"Resumed {target}: kept {resumed} verified bytes, fetched {size - resumed} of {size}.");
        }
    }

    /// <summary>A collection starts with its header line; reading its first chunk, verified, tells.</summary>
    private static async Task<bool> IsCollectionAsync(BlobClient client, Blake3Hash hash, long size, CancellationToken cancellationToken)
    {
        using var sink = new RangeSink(0, Math.Min(size, 64));
        await client.GetAsync(hash, sink, ChunkRanges.Bytes(0, 1), cancellationToken).ConfigureAwait(false);
        return BlobCollection.HasHeader(sink.ToArray());
    }

    private string TargetFile(Blake3Hash hash) =>
        Directory.Exists(Destination) ? System.IO.Path.Combine(Destination!, hash.ToString()) : System.IO.Path.GetFullPath(Destination!);

    private string TargetDirectory(Blake3Hash hash) =>
        Directory.Exists(Destination) && Directory.EnumerateFileSystemEntries(Destination!).Any()
            ? System.IO.Path.Combine(Destination!, hash.ToString())
            : System.IO.Path.GetFullPath(Destination!);

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
