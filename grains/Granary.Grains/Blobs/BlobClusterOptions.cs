namespace Granary.Grains.Blobs;

/// <summary>How the cluster keeps blobs. Validated by <see cref="Validate"/> when the silo starts.</summary>
public sealed class BlobClusterOptions
{
    /// <summary>Copies of every blob (R), 1 to 16; fewer while fewer silos are active. Default 2.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>How often each silo re-checks the blobs it ranks first for (also on every membership change). Default 30 s.</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each silo reconciles every local blob's row with the cluster's record (also at
    /// start): catches an extend or delete that did not reach it while it was unreachable but
    /// not declared dead. Default 10 min.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after a membership change a repair pass starts (changes come in bursts). Default 1 s.</summary>
    public TimeSpan RepairDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A silo alone (the SQLite default): its store is the only copy by definition, so blobs get
    /// no grain records — a small PUT then costs what it did before clustering (measured:
    /// recording each blob in a grain halved small-PUT throughput on SQLite).
    /// </summary>
    public bool Standalone { get; set; }

    /// <summary>How many blobs one silo repairs at once. Default 4.</summary>
    public int RepairConcurrency { get; set; } = 4;

    /// <summary>How long one replica copy (a verified download between silos) may take. Default 10 min.</summary>
    public TimeSpan CopyTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Throws if a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Replicas not in 1..16, a non-positive interval, or concurrency below 1.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Replicas, 1, nameof(Replicas));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Replicas, 16, nameof(Replicas));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RepairInterval, TimeSpan.Zero, nameof(RepairInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RepairDebounce, TimeSpan.Zero, nameof(RepairDebounce));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconcileInterval, TimeSpan.Zero, nameof(ReconcileInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RepairConcurrency, 1, nameof(RepairConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CopyTimeout, TimeSpan.Zero, nameof(CopyTimeout));
    }
}
