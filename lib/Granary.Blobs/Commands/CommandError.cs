namespace Granary.Blobs.Commands;

/// <summary>A failure with one input: what kind, what about, and what to do.</summary>
public sealed record CommandError(CommandErrorKind Kind, string Message, object? Target, Exception? Exception = null)
{
    /// <summary>A stable identifier for the error (PowerShell's FullyQualifiedErrorId prefix).</summary>
    public string ErrorId => $"Granary.{Kind}";
}
