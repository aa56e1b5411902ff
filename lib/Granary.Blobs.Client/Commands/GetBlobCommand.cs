using Granary.Blobs.Client;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;

namespace Granary.Blobs.Commands;

/// <summary>
/// Get-Blob: downloads blobs by hash or ticket, verified block by block. A file download resumes
/// from <c>DEST.partial</c>; with several replicas it is split across all of them; a collection
/// becomes a directory. <see cref="AsByteArray"/> returns small blobs (or a <see cref="Range"/>) as bytes.
/// <see cref="BlobFetcher"/> does the work (and decides what is a collection), as for <c>granary get</c>.
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

    /// <summary>Use one provider, not every replica: the session's silo if it holds the blob, else the first replica that answers.</summary>
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

    /// <summary>The hash a BLOB argument names: a bare hash, or a blob ticket's (<see cref="ParseTicket"/>).</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static Blake3Hash ParseBlob(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return Blake3Hash.TryParse(blob.Trim(), out Blake3Hash hash) ? hash : ParseTicket(blob).Hash;
    }

    /// <summary>The blob ticket a BLOB argument that is not a bare hash must be.</summary>
    /// <exception cref="FormatException">
    /// Text that starts like a ticket but is not one (the ticket's own sentence says what is wrong),
    /// or text that is not even that (the sentence names both forms a BLOB may take).
    /// </exception>
    public static BlobTicket ParseTicket(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        string text = blob.Trim();
        return text.StartsWith("granary:", StringComparison.Ordinal) ? BlobTicket.Parse(text)
            : throw new FormatException($"'{blob}' is neither a blob hash (64 hex digits) nor a blob ticket (granary:<node id>@<ip>:<port>/<64 hex digits>).");
    }

    private async Task GetBytesAsync(GranarySession session, ICommandHost host, Blake3Hash hash)
    {
        (long start, long end) = Range ?? (0, long.MaxValue);
        string? path = AsByteArray ? null : TargetFile(hash);
        if (path is not null)
        {
            DownloadTargets.CheckFile(path, Force);
        }

        FetchedRange range;
        try
        {
            range = await new BlobFetcher(session.Client, session.ConnectToAsync)
                .ReadAsync(hash, start, end, MaxByteArray, host.CancellationToken).ConfigureAwait(false);
        }
        catch (RangeTooLargeException error) when (path is not null)
        {
            // The generic advice ("use -Destination") would point at what the user already did.
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument,
                $"-Range with -Destination writes at most {error.MaxLength >> 20} MiB (the range is read into memory); this range holds {error.Length:N0} bytes: take a smaller -Range, or download the whole blob without -Range.", hash.ToString(), error));
        }

        if (path is null)
        {
            host.Output(range.Bytes);
            return;
        }

        await File.WriteAllBytesAsync(path, range.Bytes, host.CancellationToken).ConfigureAwait(false);
        host.Output(new DownloadedBlob { Hash = hash.ToString(), Path = path, Size = range.Bytes.Length, Providers = [range.Provider.ToString()] });
    }

    private async Task GetToPathAsync(GranarySession session, ICommandHost host, Blake3Hash hash)
    {
        var fetcher = new BlobFetcher(session.Client, session.ConnectToAsync) { SingleProvider = SingleProvider };
        FetchPlan plan = await fetcher.PlanAsync(hash, host.CancellationToken).ConfigureAwait(false);
        await using (plan.ConfigureAwait(false))
        {
            foreach (var (replica, reason) in plan.Skipped)
            {
                host.Verbose($"Replica {replica} skipped: {reason}");
            }

            // Like Invoke-WebRequest -OutFile, a download does not ask (-WhatIf/-Confirm): it
            // changes nothing in the cluster, and -Force alone decides about existing files.
            string target = plan.IsCollection ? TargetDirectory(hash) : TargetFile(hash);
            var progress = new ThrottledProgress(host, Interlocked.Increment(ref _activities), $"Downloading {hash.ToString()[..12]}", target, plan.TotalBytes);
            FetchResult result = await plan.DownloadAsync(target, Force, progress, host.CancellationToken).ConfigureAwait(false);
            progress.Complete();
            foreach (string warning in result.Warnings)
            {
                host.Warning(CommandErrors.Sentence(warning));
            }

            foreach (var (provider, reason) in result.Dropped)
            {
                host.Verbose($"Provider {provider} dropped: {reason}");
            }

            if (result.Resumed > 0)
            {
                host.Verbose($"Resumed {target}: kept {result.Resumed} verified bytes, fetched {result.Size - result.Resumed} of {result.Size}.");
            }

            host.Output(new DownloadedBlob
            {
                Hash = hash.ToString(), Path = target, Size = result.Size, IsCollection = result.IsCollection, Providers = [.. result.Providers.Select(p => p.ToString())],
            });
        }
    }

    private string TargetFile(Blake3Hash hash) =>
        Directory.Exists(Destination) ? System.IO.Path.Combine(Destination!, hash.ToString()) : System.IO.Path.GetFullPath(Destination!);

    private string TargetDirectory(Blake3Hash hash) =>
        Directory.Exists(Destination) && Directory.EnumerateFileSystemEntries(Destination!).Any()
            ? System.IO.Path.Combine(Destination!, hash.ToString())
            : System.IO.Path.GetFullPath(Destination!);
}
