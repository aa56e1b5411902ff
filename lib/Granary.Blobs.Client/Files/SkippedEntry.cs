namespace Granary.Blobs.Files;

/// <summary>Something in a directory that an upload left out, and why (the upload goes on without it).</summary>
/// <param name="Path">
/// Its path relative to the uploaded directory, printable: bytes that are not UTF-8 and control
/// characters as <c>\xFF</c>, a backslash as <c>\\</c> (see <see cref="FileNames.Escape(ReadOnlySpan{byte})"/>).
/// </param>
/// <param name="Reason">Why it was left out, and what to do about it when something can be done.</param>
public sealed record SkippedEntry(string Path, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Reason}";
}
