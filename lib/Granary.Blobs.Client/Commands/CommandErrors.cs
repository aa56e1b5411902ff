using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Commands;

/// <summary>
/// The one place that classifies failures on the client side: a blobs-protocol status to a
/// <see cref="CommandErrorKind"/> (<see cref="KindOf(BlobStatus)"/>), and whatever the client library
/// throws to a <see cref="CommandError"/> with advice (<see cref="From"/>). Front ends only map the
/// kind onward (the cmdlets to an ErrorCategory, the CLI to an exit code); none of them inspects
/// exceptions itself.
/// </summary>
public static class CommandErrors
{
    /// <summary>
    /// The kind of failure a reply with <paramref name="status"/> means. Every named status has its
    /// place here and the switch has no catch-all, so a status added to <see cref="BlobStatus"/>
    /// fails the build until it is classified; a number no status names (a newer silo's) is a refusal.
    /// </summary>
    public static CommandErrorKind KindOf(BlobStatus status) => Enum.IsDefined(status) ? KindOfNamed(status) : CommandErrorKind.Refused;

    /// <summary>
    /// The error for <paramref name="exception"/> about transfer channel <paramref name="channel"/>
    /// (its reference as the user gave it): the same kinds as <see cref="From"/>, worded for a
    /// channel — a 404 names the channel, not a blob; a 503 is the channel's other side. Both the
    /// cmdlets and the CLI's transfer commands report through it.
    /// </summary>
    /// <returns>Null for exceptions that are bugs.</returns>
    public static CommandError? FromChannel(Exception exception, string channel)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            // The silo's own sentence already names the channel and 'granary transfer list'.
            BlobProtocolException { Status: BlobStatus.NotFound } e => new(CommandErrorKind.NotFound, $"No transfer channel {channel} on this cluster: Get-BlobTransfer lists them (INITIATOR/ID for a channel another cluster opened here).", channel, e)
            {
                Reason = e.Message,
            },
            BlobProtocolException { Status: BlobStatus.BadRequest } e => new(CommandErrorKind.InvalidRequest, $"Channel {channel}: {e.Message}", channel, e)
            {
                Reason = $"channel {channel}: {e.Message}",
            },
            BlobProtocolException { Status: BlobStatus.Unavailable } e => new(CommandErrorKind.Unreachable, $"Channel {channel}: the other cluster's silo could not be reached: {e.Message} Try again later; Restart-BlobTransfer reconnects.", channel, e)
            {
                Reason = $"the other side of channel {channel} could not be reached: {e.Message}; try again later ('granary transfer restart' reconnects)",
            },
            _ => From(exception, channel),
        };
    }

    /// <summary>The error for <paramref name="exception"/> about <paramref name="target"/>; null for exceptions that are bugs.</summary>
    public static CommandError? From(Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            GranaryCommandException command => command.Error,
            OperationCanceledException => new(CommandErrorKind.Cancelled, "Stopped by the user.", target, exception) { Reason = "stopped by the user" },
            BlobProtocolException e => FromStatus(e, target),
            BaoVerificationException e => new(CommandErrorKind.VerificationFailed, $"Data for {target} did not verify against its hash: {e.Message}", target, e) { Reason = e.Message },
            ProvidersFailedException e => new(KindOf(e), e.Message, target, e),
            NotACollectionException e => new(CommandErrorKind.InvalidRequest, e.Message, target, e),
            RangeTooLargeException e => new(CommandErrorKind.InvalidArgument, $"{e.Length} bytes is too many for a byte array (at most {e.MaxLength}): use -Destination, or a smaller -Range.", target, e)
            {
                Reason = e.Message,
            },
            QuicException e => new(CommandErrorKind.Unreachable, Sentence(SiloUnavailable.Describe(e)), target, e) { Reason = SiloUnavailable.Describe(e) },
            FormatException e => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            ArgumentException e => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            UnauthorizedAccessException e => new(CommandErrorKind.LocalFile, e.Message, target, e),
            IOException e => new(CommandErrorKind.LocalFile, e.Message, target, e),
            _ => null,
        };
    }

    /// <summary>The CLI's lower-case message as a PowerShell sentence.</summary>
    internal static string Sentence(string message) => char.ToUpperInvariant(message[0]) + message[1..] + ".";

    // No discard arm on purpose: CS8509 (a named status left out) stays an error; CS8524 only
    // concerns numbers no status names, which KindOf sends elsewhere before calling this.
#pragma warning disable CS8524
    private static CommandErrorKind KindOfNamed(BlobStatus status) => status switch
    {
        BlobStatus.NotFound => CommandErrorKind.NotFound,
        BlobStatus.Gone => CommandErrorKind.Expired,
        BlobStatus.Unauthorized => CommandErrorKind.Unauthorized,
        BlobStatus.Forbidden => CommandErrorKind.Forbidden,
        BlobStatus.Unavailable => CommandErrorKind.Unreachable,
        BlobStatus.HashMismatch or BlobStatus.Damaged => CommandErrorKind.VerificationFailed,
        BlobStatus.BadRequest or BlobStatus.TooLarge or BlobStatus.NotACollection => CommandErrorKind.InvalidRequest,

        // Upload framing and the silo's own failures: the request was refused, the status says why.
        BlobStatus.UnknownOperation or BlobStatus.NoSize or BlobStatus.BadSize or BlobStatus.FinBeforeSize or BlobStatus.TooMuchData
            or BlobStatus.IoError or BlobStatus.Internal => CommandErrorKind.Refused,

        // A client follows neither: a 307 reaching a user means the blob is not where it was asked for,
        // and an exception carrying 200 is a silo that contradicts itself.
        BlobStatus.Redirect or BlobStatus.Ok => CommandErrorKind.Refused,
    };
#pragma warning restore CS8524

    /// <summary>
    /// Every provider failed: retryable failures say "try later", bad data beats refusals, and
    /// providers that all refused alike (all 404) mean what that status means.
    /// </summary>
    private static CommandErrorKind KindOf(ProvidersFailedException failure) => failure switch
    {
        { Retryable: true } => CommandErrorKind.Unreachable,
        { BadData: true } => CommandErrorKind.VerificationFailed,
        { CommonStatus: { } status } => KindOf(status),
        _ => CommandErrorKind.Refused,
    };

    private static CommandError FromStatus(BlobProtocolException e, object? target)
    {
        CommandErrorKind kind = KindOf(e.Status);
        string refused = $"the silo refused ({(int)e.Status}): {e.Message}";
        return kind switch
        {
            // The silo's own sentence ("No blob H is stored here.") stays in the exception; saying it twice helps nobody.
            CommandErrorKind.NotFound => new(kind, $"No blob {target} in the cluster.", target, e) { Reason = refused },
            CommandErrorKind.Expired => new(kind, $"Blob {target} has expired: {e.Message}. Upload it again to keep it.", target, e) { Reason = refused },
            // A refusal of what the request asks (403: a read-only seeder, a topic only silos write)
            // is not about the token and is not worded as if it were.
            CommandErrorKind.Forbidden => new(kind, $"Not allowed: {e.Message}.", target, e) { Reason = $"not allowed: {e.Message}" },
            CommandErrorKind.Unauthorized => new(kind, $"The silo refused the token: {e.Message}. Use the cluster's admin.token (Connect-GranaryCluster -TokenFile).", target, e)
            {
                Reason = $"the silo refused the token: {e.Message}",
            },
            CommandErrorKind.Unreachable => new(kind, Sentence(SiloUnavailable.Describe(e)), target, e) { Reason = SiloUnavailable.Describe(e) },
            CommandErrorKind.VerificationFailed or CommandErrorKind.InvalidRequest => new(kind, e.Message, target, e) { Reason = refused },
            _ => new(kind, $"The silo refused ({(int)e.Status}): {e.Message}", target, e) { Reason = refused },
        };
    }
}
