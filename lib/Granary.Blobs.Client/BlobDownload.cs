using Granary.Blobs.Protocol;

using Granary.Hashing;
using Granary.Hashing.Verified;
using Microsoft.Win32.SafeHandles;

namespace Granary.Blobs.Client;

/// <summary>
/// Downloads a blob to a file, resumably: verified blocks go to <c>PATH.partial</c>, and after
/// every few MiB the file is fsynced and the verified length recorded (<see cref="DownloadCheckpoint"/>).
/// A restart re-verifies the recorded bytes against the blob's hash tree, keeps what still
/// verifies, and asks the silo for the rest; when all is verified the file is synced and renamed
/// to PATH.
/// </summary>
public static class BlobDownload
{
    /// <summary>Default bytes between checkpoints: an fsync per 8 MiB costs little and bounds what a crash re-fetches.</summary>
    public const long DefaultCheckpointBytes = 8L << 20;

    /// <summary>
    /// Downloads <paramref name="hash"/> to <paramref name="path"/>, resuming from PATH.partial when
    /// its record allows, and checkpointing every <paramref name="checkpointBytes"/>. A
    /// <paramref name="path"/> that appears meanwhile is replaced only if <paramref name="overwrite"/>.
    /// </summary>
    /// <returns>What was kept from an earlier attempt, what of that failed verification, and what was fetched.</returns>
    /// <exception cref="BaoVerificationException">The silo sent bytes that do not verify; nothing unverified was written.</exception>
    /// <exception cref="Protocol.BlobProtocolException">The silo refused (not found, expired, …).</exception>
    /// <exception cref="Transport.QuicException">The silo could not be reached, or went away.</exception>
    /// <exception cref="Files.TargetExistsException"><paramref name="path"/> appeared meanwhile (the verified download stays in PATH.partial).</exception>
    /// <exception cref="IOException">The local file could not be read or written, or something other than a regular file sits at PATH.partial.</exception>
    public static async Task<FileDownloadResult> ToFileAsync(
        BlobClient client, Blake3Hash hash, string path, IProgress<(long Done, long Total)>? progress = null,
        long checkpointBytes = DefaultCheckpointBytes, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var checkpoint = new DownloadCheckpoint(path, hash);
        long recorded = checkpoint.ReadRecordedLength(out string? ignored);
        PartialCheck check = PartialCheck.Nothing;
        BlobInfo info;
        long received = 0;
        using (SafeFileHandle file = checkpoint.OpenPartial(resume: recorded > 0))
        {
            if (recorded > 0)
            {
                check = await VerifyPartialAsync(client, hash, file, recorded, cancellationToken).ConfigureAwait(false);
                if (check.Prefix != recorded)
                {
                    await checkpoint.RecordAsync(check.Prefix, cancellationToken).ConfigureAwait(false);
                }
            }
            using var prefix = new VerifiedPrefix(file, checkpoint, check, checkpointBytes);
            using var sink = new CoalescingFileSink(file, async (from, to, ct) =>
            {
                // Not cancellable: the run is already written, and recording it is what lets a
                // stopped download resume from it.
                await prefix.CompletedAsync(from, to, CancellationToken.None).ConfigureAwait(false);
                received += to - from;
                progress?.Report((check.Kept + received, -1));
            });
            try
            {
                info = await client.GetAsync(hash, sink, check.Missing, cancellationToken).ConfigureAwait(false);
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await SaveAsync(sink, prefix).ConfigureAwait(false);
                throw;
            }

            RandomAccess.SetLength(file, info.Size);
            RandomAccess.FlushToDisk(file);
        }

        checkpoint.Complete(path, overwrite);
        progress?.Report((info.Size, info.Size));
        return new FileDownloadResult(info.Size, check.Kept, check.Discarded, received) { Warnings = checkpoint.Warnings(ignored, check.Discarded) };
    }

    /// <summary>
    /// Checks the first <paramref name="recorded"/> bytes of a partial download against the blob's
    /// hash tree (<see cref="BaoPrefixVerifier"/>: small requests for the tree's paths, then a
    /// local re-hash) and says which blocks verify, which recorded bytes did not (changed or
    /// truncated on disk since they were recorded), and what is left to fetch. The last block
    /// is never counted as verified: fetching it again is what proves the blob's size.
    /// </summary>
    /// <exception cref="Protocol.BlobProtocolException">The silo refused (not found, expired, …).</exception>
    /// <exception cref="BaoVerificationException">The silo's tree nodes do not verify.</exception>
    /// <exception cref="IOException">The partial file could not be read.</exception>
    public static async Task<PartialCheck> VerifyPartialAsync(
        BlobClient client, Blake3Hash hash, SafeFileHandle file, long recorded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(file);
        BlobInfo info = await client.InfoAsync(hash, cancellationToken).ConfigureAwait(false);
        long claimed = BaoPrefixVerifier.CheckableBlocks(info.Size, recorded, long.MaxValue) * BaoTree.BlockSize;
        long present = BaoPrefixVerifier.CheckableBlocks(info.Size, recorded, RandomAccess.GetLength(file));
        IReadOnlyList<(long First, long Blocks)> verified = present == 0 ? [] : await BaoPrefixVerifier.VerifyAsync(
            new FileRandomAccessStorage(file),
            present,
            async (block, ct) =>
            {
                var probe = new BaoPathProbe(block);
                await client.GetAsync(hash, probe, probe.Ranges, ct).ConfigureAwait(false);
                return probe;
            },
            cancellationToken).ConfigureAwait(false);
        return PartialCheck.From(verified, claimed);
    }

    /// <summary>
    /// A download stopped early: writes the verified blocks still buffered and records the
    /// verified prefix, so the next attempt resumes from everything verified. A write that fails
    /// here is dropped: the stop's own error is the one to report, and those blocks are fetched again.
    /// </summary>
    private static async Task SaveAsync(CoalescingFileSink sink, VerifiedPrefix prefix)
    {
        try
        {
            await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The write, the record or the caller's progress handler: none may hide the stop's own error.
        catch (Exception error) when (error is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // Not recorded, so not claimed: the blocks are fetched again.
        }

        await prefix.SaveAsync().ConfigureAwait(false);
    }
}
