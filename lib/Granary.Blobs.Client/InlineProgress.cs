namespace Granary.Blobs.Client;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, at once. System.Progress
/// posts each report to the thread pool, so reports can arrive after the operation has returned
/// — after a PowerShell cmdlet's streams are closed, or a test's token is disposed.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
