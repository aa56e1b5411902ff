using Granary.Blobs.Client;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Commands;

/// <summary>
/// Send-Blob: uploads files (each a blob), directories (with <see cref="Recurse"/>, each one
/// collection) or bytes; outputs a <see cref="BlobItem"/> per upload. A path that fails is reported
/// and the others carry on.
/// </summary>
public sealed class SendBlobCommand
{
    private static int _activities;

    /// <summary>Files or directories, already resolved to full paths.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Bytes to upload as one blob (instead of paths).</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>
    /// A readable stream to upload as one blob (instead of paths): read to its end, at most
    /// <see cref="MaxStreamBytes"/>, and cancellable (an endless stream is stopped by Ctrl-C or the cap).
    /// </summary>
    public Stream? Source { get; init; }

    /// <summary>The most a <see cref="Source"/> stream may hold: 64 MiB (the protocol needs the size first, so it is read into memory).</summary>
    public const int MaxStreamBytes = 64 << 20;

    /// <summary>How long the cluster keeps the blobs (default: the silo's).</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Upload directories as collections; without it a directory is an error.</summary>
    public bool Recurse { get; init; }

    /// <summary>
    /// Follow every symbolic link in a directory, also those leading out of it (rsync -L). Without
    /// it (the default) only links to something inside the directory are followed, and the others
    /// are reported and left out (<see cref="DirectoryTree"/>).
    /// </summary>
    public bool FollowSymlinks { get; init; }

    /// <summary>KEY=VALUE labels kept with each file blob.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Runs against <paramref name="session"/>.</summary>
    public async Task RunAsync(GranarySession session, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(host);
        if (Ttl is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, $"-Ttl {ttl} must be positive.", ttl));
        }

        if (Tags is not null)
        {
            // Checked here, before any upload, with the tag rules' own sentence (the silo would
            // only see an oversized metadata block).
            try
            {
                _ = BlobTags.Format(Tags);
            }
            catch (ArgumentException error)
            {
                throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, error.Message.Replace(" (Parameter 'tags')", string.Empty, StringComparison.Ordinal), Tags, error));
            }
        }

        byte[]? bytes = Source is null ? Bytes : await ReadSourceAsync(Source, host.CancellationToken).ConfigureAwait(false);

        // In a cluster each blob goes to a silo it belongs on (hashed first; see BlobUploader).
        await using var uploader = new BlobUploader(session.Client, session.ConnectToAsync) { Notice = host.Warning };
        if (bytes is not null)
        {
            if (await host.ShouldProcessAsync($"{bytes.Length} bytes", "Upload to the Granary cluster").ConfigureAwait(false))
            {
                DateTimeOffset askedAt = DateTimeOffset.UtcNow;
                BlobInfo blob = await uploader.PutAsync(new MemoryStream(bytes, writable: false), bytes.Length, Ttl, null, Tags, host.CancellationToken).ConfigureAwait(false);
                WarnIfShortened(host, askedAt, blob);
                host.Output(BlobItem.From(blob, session.Silo));
            }

            return;
        }

        foreach (string path in Paths)
        {
            host.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                await SendOneAsync(session, uploader, host, path).ConfigureAwait(false);
            }
            catch (Exception error) when (CommandErrors.From(error, path) is { Kind: not CommandErrorKind.Cancelled and not CommandErrorKind.Unauthorized and not CommandErrorKind.Unreachable } problem)
            {
                host.Report(problem);
            }
        }
    }

    private async Task SendOneAsync(GranarySession session, BlobUploader uploader, ICommandHost host, string path)
    {
        bool isDirectory = Directory.Exists(path);
        if (!isDirectory && !File.Exists(path))
        {
            host.Report(new(CommandErrorKind.LocalFile, $"Cannot find '{path}'.", path));
            return;
        }

        if (isDirectory && !Recurse)
        {
            host.Report(new(CommandErrorKind.InvalidArgument, $"'{path}' is a directory: add -Recurse to upload it as one collection.", path));
            return;
        }

        if (!await host.ShouldProcessAsync(path, isDirectory ? "Upload directory as a collection" : "Upload file").ConfigureAwait(false))
        {
            return;
        }

        int activity = Interlocked.Increment(ref _activities);
        string name = System.IO.Path.GetFileName(path.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        if (!isDirectory)
        {
            var fileProgress = new ThrottledProgress(host, activity, $"Uploading {name}", path, new FileInfo(path).Length);
            DateTimeOffset askedAt = DateTimeOffset.UtcNow;
            BlobInfo file = await uploader.PutFileAsync(path, Ttl, fileProgress, Tags, host.CancellationToken).ConfigureAwait(false);
            fileProgress.Complete();
            WarnIfShortened(host, askedAt, file);
            host.Verbose($"Stored {path} as {file.Hash} ({file.Size} bytes).");
            host.Output(BlobItem.From(file, session.Silo, path));
            return;
        }

        DirectoryTree tree = DirectoryTree.Scan(path, FollowSymlinks, host.CancellationToken);
        var progress = new ThrottledProgress(host, activity, $"Uploading {name}", path, tree.TotalBytes);
        DateTimeOffset started = DateTimeOffset.UtcNow;
        DirectoryUpload upload = await uploader.PutDirectoryAsync(tree, Ttl, progress, host.CancellationToken).ConfigureAwait(false);
        progress.Complete();
        WarnIfShortened(host, started, upload.Collection);
        host.Verbose($"Stored {path} as {upload.Collection.Hash} ({upload.Entries.Entries.Count} files, {upload.Entries.Directories.Count} empty directories).");

        // The collection stands (it holds everything else); each left-out entry is its own error so scripts notice.
        foreach (SkippedEntry skipped in upload.Skipped)
        {
            host.Report(new(CommandErrorKind.LocalFile, $"Left out of {path}: {skipped}", System.IO.Path.Join(path, skipped.Path)));
        }

        host.Output(BlobItem.From(upload.Collection, session.Silo, path, isCollection: true));
    }

    private void WarnIfShortened(ICommandHost host, DateTimeOffset askedAt, BlobInfo granted)
    {
        if (GrantedLifetime.Shortened(Ttl, askedAt, granted) is { } shortened)
        {
            host.Warning(shortened);
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end, up to <see cref="MaxStreamBytes"/>.</summary>
    private static async Task<byte[]> ReadSourceAsync(Stream source, CancellationToken cancellationToken)
    {
        if (!source.CanRead)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, "-InputObject is a stream that cannot be read (closed, or write-only): pass a readable stream, bytes, or a file with -Path.", source));
        }

        using var copy = new MemoryStream();
        byte[] buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (copy.Length + read > MaxStreamBytes)
            {
                throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument,
                    $"-InputObject's stream holds more than {MaxStreamBytes >> 20} MiB (or never ends): streams are read into memory, so save larger data to a file and send it with -Path.", source));
            }

            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }
}
