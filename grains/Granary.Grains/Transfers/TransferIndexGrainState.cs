namespace Granary.Grains.Transfers;

/// <summary>What <see cref="TransferIndexGrain"/> stores: channel keys, oldest first (a plain list: grain storage writes JSON).</summary>
[GenerateSerializer]
public sealed class TransferIndexGrainState
{
    /// <summary>The keys.</summary>
    [Id(0)]
    public List<string> Keys { get; set; } = [];
}
