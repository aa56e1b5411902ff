using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Granary.Testing;

/// <summary>Collects the warnings and errors of the in-process silos, for the test output and for tests that show a failure was not logged.</summary>
public sealed class SiloLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>Every warning or error so far, as "level category: message (exception)".</summary>
    public IReadOnlyList<string> Entries => [.. _entries];

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new SiloLogger(categoryName, _entries);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
