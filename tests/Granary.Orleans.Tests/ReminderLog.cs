using System.Collections.Concurrent;

namespace Granary.Orleans.Tests;

/// <summary>Reminder ticks seen by in-process silos (the silos run in the test process).</summary>
public static class ReminderLog
{
    private static readonly ConcurrentQueue<ReminderTick> Ticks = new();

    /// <summary>Records one tick.</summary>
    public static void Record(string grain, string reminder, string silo) => Ticks.Enqueue(new ReminderTick(grain, reminder, silo, DateTime.UtcNow));

    /// <summary>The ticks of <paramref name="grain"/> so far.</summary>
    public static IReadOnlyList<ReminderTick> For(string grain) => Ticks.Where(t => t.Grain == grain).ToList();
}
