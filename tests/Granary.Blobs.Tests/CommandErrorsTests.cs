using Granary.Blobs.Client;
using Granary.Blobs.Commands;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Hashing.Verified;
using Granary.Transport;

namespace Granary.Blobs.Tests;

/// <summary>The one classification of client-side failures (no silo needed).</summary>
public sealed class CommandErrorsTests
{
    private static readonly SiloTicket SiloA = SiloTicket.Parse($"granary:{new string('a', 52)}@127.0.0.1:9");
    private static readonly SiloTicket SiloB = SiloTicket.Parse($"granary:{new string('b', 51)}a@127.0.0.1:10");

    [Fact]
    public void Every_status_has_a_kind_and_a_refusal_carrying_it_is_classified_by_it()
    {
        foreach (BlobStatus status in Enum.GetValues<BlobStatus>())
        {
            CommandErrorKind kind = CommandErrors.KindOf(status);
            Assert.True(Enum.IsDefined(kind), $"{status} has no kind");
            CommandError error = CommandErrors.From(new BlobProtocolException(status, "because"), "h")!;
            Assert.Equal(kind, error.Kind);
            // The silo's words reach the user: in the cmdlet's sentence, or (not found, where they
            // would repeat it) in the CLI's clause and the record's exception.
            Assert.Contains("because", status == BlobStatus.NotFound ? error.Reason + error.Exception!.Message : error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(BlobStatus.NotFound, CommandErrorKind.NotFound)]
    [InlineData(BlobStatus.Gone, CommandErrorKind.Expired)]
    [InlineData(BlobStatus.Unauthorized, CommandErrorKind.Unauthorized)]
    [InlineData(BlobStatus.Forbidden, CommandErrorKind.Forbidden)]
    [InlineData(BlobStatus.Unavailable, CommandErrorKind.Unreachable)]
    [InlineData(BlobStatus.HashMismatch, CommandErrorKind.VerificationFailed)]
    [InlineData(BlobStatus.BadRequest, CommandErrorKind.InvalidRequest)]
    [InlineData(BlobStatus.TooLarge, CommandErrorKind.InvalidRequest)]
    [InlineData(BlobStatus.NotACollection, CommandErrorKind.InvalidRequest)]
    [InlineData(BlobStatus.Internal, CommandErrorKind.Refused)]
    [InlineData((BlobStatus)418, CommandErrorKind.Refused)]
    public void Statuses_map_to_the_kinds_users_act_on(BlobStatus status, CommandErrorKind kind) => Assert.Equal(kind, CommandErrors.KindOf(status));

    [Fact]
    public void The_cli_wording_of_silo_refusals_is_kept()
    {
        Assert.Equal("the silo refused (404): no such blob", CommandErrors.From(new BlobProtocolException(BlobStatus.NotFound, "no such blob"), "h")!.Reason);
        Assert.Equal("the silo refused the token: wrong token", CommandErrors.From(new BlobProtocolException(BlobStatus.Unauthorized, "wrong token"), "h")!.Reason);
        // A 403 (about what was asked, not about the token) is not blamed on the token, whatever a
        // 401's text says: the status decides, never the words.
        Assert.Equal("not allowed: this is a read-only seeder", CommandErrors.From(new BlobProtocolException(BlobStatus.Forbidden, "this is a read-only seeder"), "h")!.Reason);
        Assert.Equal("the silo refused the token: no such token here", CommandErrors.From(new BlobProtocolException(BlobStatus.Unauthorized, "no such token here"), "h")!.Reason);
        Assert.StartsWith("cannot reach the silo: ", CommandErrors.From(new QuicException(QuicError.ConnectionRefused, null, "timed out"), "h")!.Reason, StringComparison.Ordinal);
        Assert.StartsWith("the cluster is unavailable (503)", CommandErrors.From(new BlobProtocolException(BlobStatus.Unavailable, "later"), "h")!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_exceptions_are_classified_by_type_never_by_their_text()
    {
        Assert.Equal(CommandErrorKind.InvalidRequest, CommandErrors.From(new NotACollectionException(Blake3.Hash([1]), "it does not start with the collection header"), "h")!.Kind);

        // What a message says does not matter: an IOException is a local file problem.
        Assert.Equal(CommandErrorKind.LocalFile, CommandErrors.From(new IOException("x is not a collection"), "h")!.Kind);
        Assert.Equal(CommandErrorKind.LocalFile, CommandErrors.From(new TargetExistsException("'x' already exists"), "h")!.Kind);
        Assert.Equal(CommandErrorKind.LocalFile, CommandErrors.From(new UnauthorizedAccessException("no"), "h")!.Kind);
        Assert.Equal(CommandErrorKind.InvalidArgument, CommandErrors.From(new FormatException("not a hash"), "h")!.Kind);
        CommandError tooLarge = CommandErrors.From(new RangeTooLargeException(100, 10), "h")!;
        Assert.Equal(CommandErrorKind.InvalidArgument, tooLarge.Kind);
        Assert.Contains("-Destination", tooLarge.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-Destination", tooLarge.Reason, StringComparison.Ordinal);
        Assert.Equal(CommandErrorKind.VerificationFailed, CommandErrors.From(new BaoVerificationException(BaoFailure.BlockMismatch, 0, 1, 100, "retry"), "h")!.Kind);
        Assert.Equal(CommandErrorKind.Unreachable, CommandErrors.From(new QuicException(QuicError.ConnectionRefused, null, "timed out"), "h")!.Kind);
        Assert.Equal(CommandErrorKind.Cancelled, CommandErrors.From(new OperationCanceledException(), "h")!.Kind);
        Assert.Null(CommandErrors.From(new InvalidOperationException("a bug"), "h"));
    }

    [Fact]
    public void When_every_provider_failed_the_failures_decide_the_kind()
    {
        Exception unreachable = new QuicException(QuicError.ConnectionRefused, null, "timed out");
        Exception notFound = new BlobProtocolException(BlobStatus.NotFound, "no such blob");
        Exception bad = new BaoVerificationException(BaoFailure.BlockMismatch, 3, 1, 100_000, "retry");
        Exception internalError = new BlobProtocolException(BlobStatus.Internal, "oops");

        Assert.Equal(CommandErrorKind.Unreachable, KindOf(unreachable, unreachable));
        Assert.Equal(CommandErrorKind.VerificationFailed, KindOf(unreachable, bad));
        Assert.Equal(CommandErrorKind.NotFound, KindOf(notFound, notFound));
        Assert.Equal(CommandErrorKind.Refused, KindOf(notFound, internalError));
        Assert.Equal(CommandErrorKind.Refused, KindOf(notFound, unreachable));

        static CommandErrorKind KindOf(Exception a, Exception b) =>
            CommandErrors.From(new ProvidersFailedException("failed", new Dictionary<SiloTicket, Exception> { [SiloA] = a, [SiloB] = b }), "h")!.Kind;
    }

    [Fact]
    public void A_channel_s_failures_are_worded_for_the_channel_with_the_same_kinds()
    {
        const string missing = "this cluster keeps no channel 12345 ('granary transfer list' shows the ones it keeps)";
        CommandError notFound = CommandErrors.FromChannel(new BlobProtocolException(BlobStatus.NotFound, missing), "12345")!;
        Assert.Equal(CommandErrorKind.NotFound, notFound.Kind);
        Assert.Equal(missing, notFound.Reason); // the silo's sentence, once, not wrapped in a second one
        Assert.StartsWith("No transfer channel 12345 on this cluster: Get-BlobTransfer lists them", notFound.Message, StringComparison.Ordinal);

        CommandError away = CommandErrors.FromChannel(new BlobProtocolException(BlobStatus.Unavailable, "no answer"), "7")!;
        Assert.Equal(CommandErrorKind.Unreachable, away.Kind);
        Assert.StartsWith("the other side of channel 7 could not be reached: no answer", away.Reason, StringComparison.Ordinal);

        Assert.Equal(CommandErrorKind.InvalidRequest, CommandErrors.FromChannel(new BlobProtocolException(BlobStatus.BadRequest, "bad"), "7")!.Kind);
        // Everything else is classified as for any command: a refused token is still a refused token.
        Assert.Equal(CommandErrors.From(new BlobProtocolException(BlobStatus.Unauthorized, "wrong token"), "7")!.Reason,
            CommandErrors.FromChannel(new BlobProtocolException(BlobStatus.Unauthorized, "wrong token"), "7")!.Reason);
    }
}
