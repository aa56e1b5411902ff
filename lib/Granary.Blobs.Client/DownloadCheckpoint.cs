using System.Globalization;
using System.Text;
using Granary.Blobs.Files;
using Granary.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// The resume record of a file download: the bytes go to <see cref="PartialPath"/> (PATH.partial, or a
/// short hidden name when that would be too long: <see cref="DownloadPaths"/>), and
/// <see cref="StatePath"/> holds <c>HASH LENGTH</c> — how many leading bytes were verified and
/// fsynced at the last checkpoint. Both downloaders (<see cref="BlobDownload"/> and
/// <see cref="Downloader"/>) keep the same record, so either can resume the other's file.
/// </summary>
/// <remarks>
/// The recorded length is a claim, not a proof: the file may have been changed, truncated or torn
/// since. A resume therefore re-verifies the recorded bytes against the blob's hash tree
/// (<see cref="BlobDownload.VerifyPartialAsync"/>) before trusting any of them. Both files are
/// opened without following symbolic links and only if they are regular files
/// (<see cref="PosixFiles.OpenTemporary"/>): a download writes nowhere but its own files.
/// </remarks>
public sealed class DownloadCheckpoint
{
    // "HASH LENGTH" is 64 + 1 + at most 19 digits; anything much longer is not a record of ours.
    private const int MaxRecordBytes = 128;

    /// <summary>The record for downloading <paramref name="hash"/> to <paramref name="path"/>.</summary>
    public DownloadCheckpoint(string path, Blake3Hash hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Hash = hash;
        PartialPath = DownloadPaths.Partial(path);
        StatePath = DownloadPaths.State(path);
    }

    /// <summary>The blob being downloaded.</summary>
    public Blake3Hash Hash { get; }

    /// <summary>Where the bytes are written until the download is complete and verified.</summary>
    public string PartialPath { get; }

    /// <summary>Where the verified length is recorded.</summary>
    public string StatePath { get; }

    /// <summary>
    /// The length recorded for this blob, or 0 when there is none. A record that exists but cannot
    /// be used (unreadable, malformed, for another blob) also gives 0, and <paramref name="ignored"/>
    /// says why, so the caller can warn that earlier bytes are being fetched again.
    /// </summary>
    public long ReadRecordedLength(out string? ignored)
    {
        ignored = null;
        if (PosixFiles.Stat(PartialPath, followLinks: false, out _) != 0 || PosixFiles.Stat(StatePath, followLinks: false, out var state) != 0)
        {
            // No partial file, or interrupted before its first checkpoint: nothing was claimed.
            return 0;
        }

        if (state.Kind != PosixFiles.FileKind.Regular || state.Size > MaxRecordBytes)
        {
            ignored = $"{StatePath} is not a download record ({PosixFiles.Describe(state.Kind)} of {state.Size} bytes)";
            return 0;
        }

        string text;
        try
        {
            using SafeFileHandle handle = PosixFiles.OpenTemporary(StatePath, truncate: false);
            byte[] bytes = new byte[MaxRecordBytes];
            text = Encoding.ASCII.GetString(bytes, 0, RandomAccess.Read(handle, bytes, 0)).Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            ignored = $"{StatePath} cannot be read ({error.Message})";
            return 0;
        }

        if (text.Split(' ') is not [var recordedHash, var length]
            || !long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out long recorded))
        {
            ignored = $"{StatePath} is not a download record ('HASH LENGTH')";
            return 0;
        }

        if (recordedHash != Hash.ToString())
        {
            ignored = $"{StatePath} records another blob ({recordedHash[..Math.Min(16, recordedHash.Length)]}…)";
            return 0;
        }

        return recorded;
    }

    /// <summary>Opens the partial file (created if missing; emptied unless <paramref name="resume"/>).</summary>
    /// <exception cref="IOException">Something other than a regular file sits at its name, or it cannot be opened.</exception>
    public SafeFileHandle OpenPartial(bool resume) => PosixFiles.OpenTemporary(PartialPath, truncate: !resume);

    /// <summary>Records that the first <paramref name="length"/> bytes are verified; call only after they are fsynced.</summary>
    public async Task RecordAsync(long length, CancellationToken cancellationToken)
    {
        using SafeFileHandle handle = PosixFiles.OpenTemporary(StatePath, truncate: true);
        await RandomAccess.WriteAsync(handle, Encoding.ASCII.GetBytes($"{Hash} {length.ToString(CultureInfo.InvariantCulture)}"), 0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What to tell the user about a resume: ignored records and bytes that no longer verified.</summary>
    public IReadOnlyList<string> Warnings(string? ignoredRecord, long discarded)
    {
        var warnings = new List<string>();
        if (ignoredRecord is not null)
        {
            warnings.Add($"ignoring {ignoredRecord}: the download starts afresh");
        }

        if (discarded > 0)
        {
            warnings.Add($"{PartialPath} had changed on disk since it was recorded: {discarded} recorded bytes no longer matched the blob or were missing, and were fetched again (the finished file is verified)");
        }

        return warnings;
    }

    /// <summary>Renames the finished partial file to <paramref name="path"/> and drops the record.</summary>
    /// <exception cref="TargetExistsException"><paramref name="path"/> appeared during the download and <paramref name="overwrite"/> is false; the verified partial file and its record are kept.</exception>
    public void Complete(string path, bool overwrite)
    {
        try
        {
            File.Move(PartialPath, path, overwrite);
        }
        catch (IOException) when (!overwrite && PosixFiles.Stat(path, followLinks: false, out _) == 0)
        {
            throw new TargetExistsException(
                $"{path} appeared while the blob was downloading; it was not replaced. The verified download is kept in {PartialPath}: run again with --force (-Force) to replace {path}.",
                [path]);
        }

        File.Delete(StatePath);
    }
}
