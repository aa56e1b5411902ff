namespace Granary.Grains;

/// <summary>The result of <see cref="IBlobGrain.RepairAsync"/>.</summary>
/// <param name="Copies">Active silos holding the blob (at most <paramref name="Wanted"/>).</param>
/// <param name="Wanted">R, or fewer when fewer silos are active; 0 for a blob with no live record.</param>
[GenerateSerializer, Immutable]
public sealed record RepairOutcome([property: Id(0)] int Copies, [property: Id(1)] int Wanted)
{
    /// <summary>True when the blob has fewer copies than it should.</summary>
    public bool ShortOfReplicas => Copies < Wanted;
}
