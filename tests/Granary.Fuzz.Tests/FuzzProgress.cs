namespace Granary.Fuzz.Tests;

/// <summary>What <see cref="FuzzRunner"/>'s worker thread shares with its watchdog: where it is, what it saw.</summary>
/// <typeparam name="T">The input type.</typeparam>
internal sealed class FuzzProgress<T>
{
    /// <summary>The input being parsed (read by the watchdog with <see cref="Volatile"/>).</summary>
    public long Index = -1;

    /// <summary>The seed state it was generated from, and the input.</summary>
    public (ulong State, T Input) Current { get; set; }

    /// <summary>Why the loop stopped early, if it did.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Inputs the parser accepted.</summary>
    public long Accepted { get; set; }

    /// <summary>The slowest input after warm-up.</summary>
    public TimeSpan Slowest { get; set; }

    /// <summary>The most one input allocated.</summary>
    public long MostAllocated { get; set; }

    /// <summary>That input's size.</summary>
    public long MostAllocatedSize { get; set; }
}
