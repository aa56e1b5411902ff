namespace Granary.Orleans.Tests;

/// <summary>Counts in persistent state (storage provider <see cref="OrleansTestSilo.StorageName"/>).</summary>
public sealed class CounterGrain(
    [PersistentState("counter", OrleansTestSilo.StorageName)] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    /// <inheritdoc/>
    public async Task<int> IncrementAsync()
    {
        state.State.Count++;
        await state.WriteStateAsync();
        return state.State.Count;
    }

    /// <inheritdoc/>
    public Task<int> GetAsync() => Task.FromResult(state.State.Count);

    /// <inheritdoc/>
    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
