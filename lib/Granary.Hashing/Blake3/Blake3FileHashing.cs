using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Granary.Hashing;

/// <summary>
/// Feeding a <see cref="Blake3Hasher"/> from a file: large regular files are memory-mapped and
/// hashed across threads (as b3sum does); small files, pipes and devices are read.
/// </summary>
public static partial class Blake3FileHashing
{
    /// <summary>Below this a mapping costs more than a read (b3sum uses the same cut-off).</summary>
    public const long MapThreshold = 16 * 1024;

    /// <summary>On more than one thread, mapped files are hashed in segments of this size so that cancellation is noticed.</summary>
    private const long SegmentLength = 1L << 32;

    /// <summary>
    /// On one thread, mapped files are hashed in steps of this size: each step's pages are mapped in one call
    /// before it is hashed, the next step's are asked to be read ahead, and cancellation is
    /// checked between steps. A power of two, so that every step but the last starts on a 64 MiB
    /// boundary and is hashed as whole aligned subtrees (the result does not depend on it).
    /// </summary>
    private const long StepLength = 64L << 20;

    private const int MadviseWillNeed = 3;      // MADV_WILLNEED: start reading the range into the page cache
    private const int MadvisePopulateRead = 22; // MADV_POPULATE_READ (Linux 5.14): map the range's pages now

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
            if (threads > 1)
            {
                // Each thread maps the pages of its own unit just before hashing it. Mapping a
                // whole step ahead on one thread left the others waiting: 1.5 of 2 cores busy,
                // where b3sum keeps 1.9.
                for (long offset = 0; offset < length; offset += SegmentLength)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    hasher.UpdateParallel(data + offset, Math.Min(SegmentLength, length - offset), threads, PopulateUnit);
                }

                return;
            }

            for (long offset = 0; offset < length; offset += StepLength)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long step = Math.Min(StepLength, length - offset);
                if (offset + step < length)
                {
                    Advise(data + offset + step, Math.Min(StepLength, length - offset - step), MadviseWillNeed);
                }

                // Touching a mapped page for the first time is a page fault per 16 pages (the
                // kernel's fault-around): ~16 000 faults per GiB, 10-15 % of a hash's time here
                // (perf: exc_page_fault under the kernel's first loads). One call maps them all.
                Advise(data + offset, step, MadvisePopulateRead);
                hasher.UpdateParallel(data + offset, step, threads: 1);
            }
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    /// <summary>
    /// Maps a parallel unit's pages in one call. For a file not in the page cache this reads the
    /// unit before hashing it, as demand faults would (cold-cache runs were not benchmarked).
    /// </summary>
    private static unsafe void PopulateUnit(nint address, long length) =>
        Advise((byte*)address, length, MadvisePopulateRead);

    /// <summary>
    /// Advice to the kernel about [address, address + length) of a mapping; page-aligns the start.
    /// Only advice: a kernel that does not know it (EINVAL) or cannot follow it is simply ignored,
    /// and the pages are then faulted in as the hash reads them.
    /// </summary>
    private static unsafe void Advise(byte* address, long length, int advice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        nint page = Environment.SystemPageSize;
        byte* aligned = (byte*)((nint)address & ~(page - 1));
        _ = Madvise(aligned, (nuint)(length + (address - aligned)), advice);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static unsafe partial int Madvise(byte* address, nuint length, int advice);
}
