using System.Runtime.ExceptionServices;
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

    /// <summary>
    /// The exception for a download that every provider in <paramref name="failures"/> failed: a lone
    /// provider's own failure is rethrown as it is (with its stack; callers tell its 404, 403, 503 or
    /// bad data apart by its type), several become one <see cref="ProvidersFailedException"/>
    /// summarised after <paramref name="what"/>. Use as <c>throw ProvidersFailedException.For(...)</c>.
    /// </summary>
    /// <param name="what">What failed, in words ("Fetching {hash} failed").</param>
    /// <param name="failures">Each provider's failure; at least one.</param>
    /// <param name="loneSpeaksForItself">False to wrap even a lone failure (when that provider is not the one the user asked).</param>
    public static Exception For(string what, IReadOnlyDictionary<SiloTicket, Exception> failures, bool loneSpeaksForItself = true)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (loneSpeaksForItself && failures.Count == 1)
        {
            ExceptionDispatchInfo.Throw(failures.Values.Single());
        }

        return new ProvidersFailedException(what, failures);
    }

    /// <summary>Each provider's failure in words (<see cref="Describe"/>), keyed by provider, for a <see cref="DownloadReport"/>.</summary>
    public static Dictionary<SiloTicket, string> DescribeEach(IEnumerable<KeyValuePair<SiloTicket, Exception>> failures) =>
        (failures ?? throw new ArgumentNullException(nameof(failures))).ToDictionary(f => f.Key, f => Describe(f.Value));
}
