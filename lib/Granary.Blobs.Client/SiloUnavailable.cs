using Granary.Blobs.Protocol;
using Granary.Transport;

namespace Granary.Blobs.Client;

/// <summary>
/// Recognises the failures that mean "retry later, or from another replica" rather than "refused"
/// or "bad data": a silo shutting down (its streams reset with <see cref="BlobStatus.Unavailable"/>,
/// its connections closed with <see cref="ProtocolRouter.ShutdownErrorCode"/>), a 503 from the
/// cluster, a silo that cannot be reached, or a multi-provider download whose every provider failed so. The CLI maps all of them to exit code 3; the
/// multi-provider downloader moves the work to another provider.
/// </summary>
public static class SiloUnavailable
{
    /// <summary>Whether <paramref name="error"/> says the silo is stopping.</summary>
    public static bool IsShuttingDown(Exception error) => error is QuicException
    {
        Error: QuicError.StreamAborted, ApplicationErrorCode: (long)BlobStatus.Unavailable,
    } or QuicException { Error: QuicError.ConnectionAborted, ApplicationErrorCode: ProtocolRouter.ShutdownErrorCode };

    /// <summary>Whether <paramref name="error"/> is worth retrying later or elsewhere (unreachable, shutting down, 503).</summary>
    public static bool IsRetryable(Exception error) =>
        error is QuicException
        || error is BlobProtocolException { Status: BlobStatus.Unavailable }
        || error is ProvidersFailedException { Retryable: true };

    /// <summary>A message for a retryable failure that says what happened and what to do.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is ProvidersFailedException)
        {
            return error.Message;
        }

        return IsShuttingDown(error)
            ? "the silo is shutting down and abandoned the request: retry in a moment or use another silo (an interrupted download resumes where it stopped)"
            : error is BlobProtocolException { Status: BlobStatus.Unavailable }
                ? $"the cluster is unavailable (503): {error.Message}; nothing was acknowledged, retry in a moment"
                : $"cannot reach the silo: {error.Message}";
    }
}
