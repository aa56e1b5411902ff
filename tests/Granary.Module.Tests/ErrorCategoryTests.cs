using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.PowerShell;

namespace Granary.PowerShellModule.Tests;

/// <summary>Every kind of failure a command reports reaches PowerShell with a category (no silo, no host).</summary>
public sealed class ErrorCategoryTests
{
    [Fact]
    public void Every_kind_has_a_category()
    {
        foreach (CommandErrorKind kind in Enum.GetValues<CommandErrorKind>())
        {
            Assert.True(Enum.IsDefined(ErrorCategories.For(kind)), $"{kind} has no category");
        }
    }

    /// <summary>The categories module/README.md promises.</summary>
    [Theory]
    [InlineData(CommandErrorKind.NotFound, ErrorCategory.ObjectNotFound)]
    [InlineData(CommandErrorKind.Expired, ErrorCategory.ResourceUnavailable)]
    [InlineData(CommandErrorKind.Unauthorized, ErrorCategory.AuthenticationError)]
    [InlineData(CommandErrorKind.Forbidden, ErrorCategory.PermissionDenied)]
    [InlineData(CommandErrorKind.Unreachable, ErrorCategory.ConnectionError)]
    [InlineData(CommandErrorKind.InvalidArgument, ErrorCategory.InvalidArgument)]
    [InlineData(CommandErrorKind.InvalidRequest, ErrorCategory.InvalidArgument)]
    [InlineData(CommandErrorKind.VerificationFailed, ErrorCategory.InvalidData)]
    [InlineData(CommandErrorKind.LocalFile, ErrorCategory.WriteError)]
    [InlineData(CommandErrorKind.Refused, ErrorCategory.InvalidOperation)]
    [InlineData(CommandErrorKind.Cancelled, ErrorCategory.OperationStopped)]
    public void Each_kind_has_its_documented_category(CommandErrorKind kind, ErrorCategory category) =>
        Assert.Equal(category, ErrorCategories.For(kind));
}
