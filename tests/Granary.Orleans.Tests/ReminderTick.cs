namespace Granary.Orleans.Tests;

/// <summary>One reminder tick: which grain and reminder, on which silo, when.</summary>
public sealed record ReminderTick(string Grain, string Reminder, string Silo, DateTime At);
