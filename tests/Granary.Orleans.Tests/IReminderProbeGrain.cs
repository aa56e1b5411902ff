namespace Granary.Orleans.Tests;

/// <summary>A test grain that registers a reminder and records each tick in <see cref="ReminderLog"/>.</summary>
public interface IReminderProbeGrain : IGrainWithStringKey
{
    /// <summary>Registers (or updates) the reminder <paramref name="name"/>.</summary>
    Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period);

    /// <summary>Unregisters the reminder <paramref name="name"/> if it exists.</summary>
    Task UnregisterAsync(string name);
}
