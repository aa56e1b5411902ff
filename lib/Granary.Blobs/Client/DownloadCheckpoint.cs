using System.Globalization;
using Granary.Blobs.Files;
using Granary.Hashing;

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
/// (<see cref="BlobDownload.VerifyPartialAsync"/>) before trusting any of them.
/// </remarks>
public sealed class DownloadCheckpoint
{
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
    /// The length recorded for this blob, or 0 when there is no record, it is for another blob,
    /// it cannot be read, or the partial file is gone.
    /// </summary>
    public long ReadRecordedLength()
    {
        try
        {
            return File.Exists(PartialPath) && File.Exists(StatePath)
                && File.ReadAllText(StatePath).Split(' ') is [var recordedHash, var length]
                && recordedHash == Hash.ToString()
                && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out long recorded)
                ? recorded
                : 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // An unreadable record claims nothing: the download starts afresh.
            return 0;
        }
    }

    /// <summary>Records that the first <paramref name="length"/> bytes are verified; call only after they are fsynced.</summary>
    public Task RecordAsync(long length, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(StatePath, $"{Hash} {length.ToString(CultureInfo.InvariantCulture)}", cancellationToken);

    /// <summary>Renames the finished partial file to <paramref name="path"/> and drops the record.</summary>
    public void Complete(string path)
    {
        File.Move(PartialPath, path, overwrite: true);
        File.Delete(StatePath);
    }
}
