using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;

namespace Granary.Cli.Tests;

/// <summary>The blob and cluster commands' exit codes, from the one map of kinds (no silo needed).</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public void Every_kind_has_a_documented_exit_code()
    {
        foreach (CommandErrorKind kind in Enum.GetValues<CommandErrorKind>())
        {
            Assert.Contains(ExitCodes.For(kind), new[] { 1, 2, 3, 4, 130 });
        }
    }

    [Theory]
    [InlineData(CommandErrorKind.NotFound, 1)]
    [InlineData(CommandErrorKind.Expired, 1)]
    [InlineData(CommandErrorKind.VerificationFailed, 1)]
    [InlineData(CommandErrorKind.InvalidRequest, 1)]
    [InlineData(CommandErrorKind.Refused, 1)]
    [InlineData(CommandErrorKind.Forbidden, 1)]
    [InlineData(CommandErrorKind.InvalidArgument, 2)]
    [InlineData(CommandErrorKind.Unreachable, 3)]
    [InlineData(CommandErrorKind.Unauthorized, 3)]
    [InlineData(CommandErrorKind.LocalFile, 4)]
    public void Each_kind_exits_as_the_readme_says(CommandErrorKind kind, int exitCode) => Assert.Equal(exitCode, ExitCodes.For(kind));

    /// <summary>What the CLI's own catch ladder returned before the map existed: 3 for a refused token or 503, else 1.</summary>
    [Fact]
    public void Every_silo_status_exits_as_it_did_before_the_map()
    {
        foreach (BlobStatus status in Enum.GetValues<BlobStatus>())
        {
            CommandError error = CommandErrors.From(new BlobProtocolException(status, "because"), "target")!;
            Assert.Equal(status is BlobStatus.Unauthorized or BlobStatus.Unavailable ? 3 : 1, ExitCodes.For(error.Kind));
        }
    }
}
