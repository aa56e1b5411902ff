using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Granary.Testing;

/// <summary>The logger <see cref="SiloLog"/> hands out: records warnings and above.</summary>
internal sealed class SiloLogger(string category, ConcurrentQueue<string> entries) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
        }
    }
}
