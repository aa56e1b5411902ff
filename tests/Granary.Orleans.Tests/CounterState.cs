namespace Granary.Orleans.Tests;

/// <summary>The persisted state of <see cref="CounterGrain"/>.</summary>
[GenerateSerializer]
public sealed class CounterState
{
    /// <summary>The count.</summary>
    [Id(0)]
    public int Count { get; set; }
}
