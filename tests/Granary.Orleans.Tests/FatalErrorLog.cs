using System.Collections.Concurrent;
using Orleans.Runtime;

namespace Granary.Orleans.Tests;

/// <summary>
/// Records Orleans' fatal errors instead of failing the process fast (Orleans' default), so an
/// in-process silo that the cluster declares dead ends the test's silo, not the test run.
/// </summary>
public sealed class FatalErrorLog : IFatalErrorHandler
{
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>Each fatal error's context and exception message.</summary>
    public IReadOnlyList<string> Entries => [.. _entries];

    /// <inheritdoc/>
    public bool IsUnexpected(Exception exception) => true;

    /// <inheritdoc/>
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) =>
        _entries.Enqueue($"{context} {exception?.Message}");
}
