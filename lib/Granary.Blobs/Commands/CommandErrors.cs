using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Commands;

/// <summary>Turns what the client library throws into <see cref="CommandError"/>s with advice.</summary>
public static class CommandErrors
{
    /// <summary>The error for <paramref name="exception"/> about <paramref name="target"/>; null for exceptions that are bugs.</summary>
    public static CommandError? From(Exception exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            GranaryCommandException command => command.Error,
            OperationCanceledException => new(CommandErrorKind.Cancelled, "Stopped by the user.", target, exception),
            BlobProtocolException { Status: BlobStatus.NotFound } e => new(CommandErrorKind.NotFound, $"No blob {target} in the cluster: {e.Message}", target, e),
            BlobProtocolException { Status: BlobStatus.Gone } e => new(CommandErrorKind.Expired, $"Blob {target} has expired: {e.Message}. Upload it again to keep it.", target, e),
            BlobProtocolException { Status: BlobStatus.Unauthorized } e => new(CommandErrorKind.Unauthorized, $"The silo refused the token: {e.Message}. Use the cluster's admin.token (Connect-GranaryCluster -TokenFile).", target, e),
            BlobProtocolException { Status: BlobStatus.HashMismatch } e => new(CommandErrorKind.VerificationFailed, e.Message, target, e),
            BlobProtocolException { Status: BlobStatus.BadRequest or BlobStatus.TooLarge or BlobStatus.NotACollection } e => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            BlobProtocolException { Status: BlobStatus.Unavailable } e => new(CommandErrorKind.Unreachable, Sentence(SiloUnavailable.Describe(e)), target, e),
            BlobProtocolException e => new(CommandErrorKind.Refused, $"The silo refused ({(int)e.Status}): {e.Message}", target, e),
            BaoVerificationException e => new(CommandErrorKind.VerificationFailed, $"Data for {target} did not verify against its hash: {e.Message}", target, e),
            ProvidersFailedException { Retryable: true } e => new(CommandErrorKind.Unreachable, e.Message, target, e),
            ProvidersFailedException { BadData: true } e => new(CommandErrorKind.VerificationFailed, e.Message, target, e),
            ProvidersFailedException e => new(CommandErrorKind.Refused, e.Message, target, e),
            QuicException e => new(CommandErrorKind.Unreachable, Sentence(SiloUnavailable.Describe(e)), target, e),
            FormatException e => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            ArgumentException e => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            UnauthorizedAccessException e => new(CommandErrorKind.LocalFile, e.Message, target, e),
            IOException e when e.Message.Contains("not a collection", StringComparison.Ordinal) => new(CommandErrorKind.InvalidArgument, e.Message, target, e),
            IOException e => new(CommandErrorKind.LocalFile, e.Message, target, e),
            _ => null,
        };
    }

    /// <summary>The CLI's lower-case message as a PowerShell sentence.</summary>
    internal static string Sentence(string message) => char.ToUpperInvariant(message[0]) + message[1..] + ".";
}
