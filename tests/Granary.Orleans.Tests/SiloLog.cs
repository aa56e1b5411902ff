using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Granary.Orleans.Tests;

/// <summary>Collects the warnings and errors of the in-process silos, so a test can show that the ADO.NET providers never failed against our SQL.</summary>
public sealed class SiloLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>Every warning or error so far, as "level category: message (exception)".</summary>
    public IReadOnlyList<string> Entries => _entries.ToList();

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new SiloLogger(categoryName, _entries);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
