namespace Granary.Orleans;

/// <summary>What <see cref="OrleansSchema.ApplyAsync(string, CancellationToken)"/> found and did.</summary>
/// <param name="PreviousVersion">The database's schema version before the call (0: no schema).</param>
/// <param name="Version">The database's schema version after the call.</param>
/// <param name="Applied">The versions this call applied, in order (empty when there was nothing to do).</param>
public sealed record OrleansSchemaResult(int PreviousVersion, int Version, IReadOnlyList<int> Applied)
{
    /// <summary>True when the call changed nothing.</summary>
    public bool UpToDate => Applied.Count == 0;
}
