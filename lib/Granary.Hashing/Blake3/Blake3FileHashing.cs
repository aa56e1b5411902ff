using System.IO.MemoryMappedFiles;

namespace Granary.Hashing;

/// <summary>
/// Feeding a <see cref="Blake3Hasher"/> from a file: large regular files are memory-mapped and
/// hashed across threads (as b3sum does); small files, pipes and devices are read.
/// </summary>
public static class Blake3FileHashing
{
    /// <summary>Below this a mapping costs more than a read (b3sum uses the same cut-off).</summary>
    public const long MapThreshold = 16 * 1024;

    /// <summary>Mapped files are hashed in segments of this size so that cancellation is noticed.</summary>
    private const long SegmentLength = 1L << 32;

    /// <summary>
    /// Absorbs the whole file at <paramref name="path"/>. <paramref name="threads"/> is the most
    /// threads to use (1 = serial); <paramref name="allowMapping"/> = false forces plain reads.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened or read; the message names the path.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task UpdateFromFileAsync(
        this Blake3Hasher hasher, string path, int threads = 1, bool allowMapping = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: is a directory; hash the files inside it instead.");
        }

        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        await using (stream.ConfigureAwait(false))
        {
            await hasher.UpdateFromFileAsync(stream, threads, allowMapping, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Absorbs the rest of an already open file: for callers that open files themselves (names that
    /// are not valid UTF-8 cannot go through a .NET path string). The stream stays open and should
    /// be at its start: a large regular file is mapped and hashed whole.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task UpdateFromFileAsync(
        this Blake3Hasher hasher, FileStream file, int threads = 1, bool allowMapping = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hasher);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);

        // Length throws for pipes and character devices; those are streamed.
        long length = file.CanSeek ? file.Length : -1;
        if (allowMapping && length >= MapThreshold)
        {
            UpdateFromMapping(hasher, file, length, threads, cancellationToken);
        }
        else
        {
            await hasher.UpdateAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    private static unsafe void UpdateFromMapping(Blake3Hasher hasher, FileStream stream, long length, int threads, CancellationToken cancellationToken)
    {
        using var mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = mapping.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            byte* data = start + view.PointerOffset;
            for (long offset = 0; offset < length; offset += SegmentLength)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hasher.UpdateParallel(data + offset, Math.Min(SegmentLength, length - offset), threads);
            }
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
