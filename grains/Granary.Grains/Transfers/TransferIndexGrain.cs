using Granary.Grains.Hosting;

namespace Granary.Grains.Transfers;

/// <inheritdoc cref="ITransferIndexGrain"/>
public sealed class TransferIndexGrain(
    [PersistentState("index", GrainStorage.Name)] IPersistentState<TransferIndexGrainState> state) : Grain, ITransferIndexGrain
{
    /// <inheritdoc/>
    public async Task AddAsync(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (state.State.Keys.Contains(key))
        {
            return;
        }

        state.State.Keys.Add(key);
        if (state.State.Keys.Count > ITransferIndexGrain.MaxKeys)
        {
            state.State.Keys.RemoveRange(0, state.State.Keys.Count - ITransferIndexGrain.MaxKeys);
        }

        await state.WriteStateAsync().ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Keys]);
}
