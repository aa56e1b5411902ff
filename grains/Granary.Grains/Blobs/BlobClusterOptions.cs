namespace Granary.Grains.Blobs;

/// <summary>How the cluster keeps blobs.</summary>
public sealed class BlobClusterOptions
{
    /// <summary>Copies of every blob (R); fewer when fewer silos are active.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>How often each silo re-checks the blobs it owns (also on every view change).</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a view change a repair pass starts (changes often come in bursts).</summary>
    public TimeSpan RepairDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A silo alone (the SQLite default): its store is the only copy by definition, so blobs
    /// get no grain records — a small PUT then costs what it did before clustering (measured:
    /// recording each blob in the grain table halved small-PUT throughput on SQLite).
    /// </summary>
    public bool Standalone { get; set; }

    /// <summary>How many blobs one silo repairs at once.</summary>
    public int RepairConcurrency { get; set; } = 4;

    /// <summary>How long one replica copy (a verified download between silos) may take.</summary>
    public TimeSpan CopyTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
