namespace Granary.Blobs.Commands;

/// <summary>A failure that ends the command (bad session, nothing reachable).</summary>
public sealed class GranaryCommandException(CommandError error) : Exception(error?.Message, error?.Exception)
{
    /// <summary>The error.</summary>
    public CommandError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
