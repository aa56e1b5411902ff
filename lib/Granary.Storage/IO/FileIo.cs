using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Granary.Storage.IO.IoUring;

namespace Granary.Storage.IO;

/// <summary>Chooses the file I/O engine at start-up.</summary>
public static partial class FileIo
{
    /// <summary>
    /// Submission ring entries (256). Each request is submitted as it is queued, so this is not a
    /// batch size; the kernel makes the completion ring twice as large, and that (512) caps the
    /// requests in flight.
    /// </summary>
    public const uint DefaultQueueDepth = 256;

    /// <summary>
    /// io_uring when the kernel allows it, else <see cref="RandomAccessFileIo"/>; logs which one
    /// runs and why. GRANARY_IO=randomaccess forces the fallback (for comparisons and diagnosis).
    /// </summary>
    public static IFileIo Create(ILogger? logger = null, uint queueDepth = DefaultQueueDepth)
    {
        logger ??= NullLogger.Instance;
        if (string.Equals(Environment.GetEnvironmentVariable("GRANARY_IO"), "randomaccess", StringComparison.OrdinalIgnoreCase))
        {
            Chosen(logger, "RandomAccess", "GRANARY_IO=randomaccess");
            return new RandomAccessFileIo();
        }

        IoUringFileIo? ring = IoUringFileIo.TryCreate(queueDepth, out string? refusal);
        if (ring is null)
        {
            Chosen(logger, "RandomAccess", refusal ?? "io_uring unavailable");
            return new RandomAccessFileIo();
        }

        Chosen(logger, "io_uring", queueDepth);
        return ring;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "File I/O engine: {Engine} ({Why})")]
    private static partial void Chosen(ILogger logger, string engine, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "File I/O engine: {Engine} (queue depth {QueueDepth})")]
    private static partial void Chosen(ILogger logger, string engine, uint queueDepth);
}
