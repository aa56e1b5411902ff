namespace Granary.Orleans.Tests;

/// <summary>A test grain whose count lives in Orleans' ADO.NET grain storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds one and stores the count; returns the new count.</summary>
    Task<int> IncrementAsync();

    /// <summary>The stored count.</summary>
    Task<int> GetAsync();

    /// <summary>Deactivates after this call, so the next call reads the state from the database.</summary>
    Task DeactivateAsync();
}
