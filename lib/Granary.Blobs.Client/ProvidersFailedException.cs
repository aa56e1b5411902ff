using Granary.Blobs.Protocol;
using Granary.Hashing.Verified;

namespace Granary.Blobs.Client;

/// <summary>
/// Every provider of a multi-provider download failed. Which kind of failure decides what a user
/// should do, so it is kept: <see cref="Retryable"/> when every provider was unreachable, shutting
/// down or unavailable (retry later), <see cref="BadData"/> when some provider sent bytes that did
/// not verify, <see cref="CommonStatus"/> when every provider refused with the same status (all 404:
/// the blob is gone everywhere, not "refused"). An <see cref="IOException"/> for callers that only
/// need "it failed".
/// </summary>
public sealed class ProvidersFailedException : IOException
{
    /// <summary>A failure of every provider in <paramref name="failures"/>, summarised after <paramref name="what"/>.</summary>
    public ProvidersFailedException(string what, IReadOnlyDictionary<SiloTicket, Exception> failures)
        : base($"{what}: " + string.Join("; ", (failures ?? throw new ArgumentNullException(nameof(failures))).Select(f => $"{f.Key}: {Describe(f.Value)}")))
    {
        Failures = failures.ToDictionary(f => f.Key, f => f.Value);
        Retryable = Failures.Count > 0 && Failures.Values.All(SiloUnavailable.IsRetryable);
        BadData = Failures.Values.Any(e => e is BaoVerificationException);
        var statuses = Failures.Values.Select(e => (e as BlobProtocolException)?.Status).Distinct().ToList();
        CommonStatus = statuses is [{ } status] ? status : null;
    }

    /// <summary>A failure with only a message.</summary>
    public ProvidersFailedException()
        : this("every provider failed", new Dictionary<SiloTicket, Exception>())
    {
    }

    /// <summary>A failure with only a message.</summary>
    public ProvidersFailedException(string message)
        : this(message, new Dictionary<SiloTicket, Exception>())
    {
    }

    /// <summary>A failure with a message and a cause.</summary>
    public ProvidersFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failures = new Dictionary<SiloTicket, Exception>();
    }

    /// <summary>Why each provider was dropped.</summary>
    public IReadOnlyDictionary<SiloTicket, Exception> Failures { get; }

    /// <summary>Every provider failed in a way worth retrying later or elsewhere (see <see cref="SiloUnavailable"/>).</summary>
    public bool Retryable { get; }

    /// <summary>Some provider sent data that did not verify against the hash.</summary>
    public bool BadData { get; }

    /// <summary>The status every provider refused with, when each one did and all agree; otherwise null.</summary>
    public BlobStatus? CommonStatus { get; }

    /// <summary>One provider's failure in words.</summary>
    public static string Describe(Exception failure) =>
        SiloUnavailable.IsRetryable(failure) ? SiloUnavailable.Describe(failure ?? throw new ArgumentNullException(nameof(failure))) : failure.Message;
}
