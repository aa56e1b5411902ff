namespace Granary.Grains.Blobs;

/// <summary>How the cluster keeps blobs. Checked by <see cref="Validate"/> when the silo starts.</summary>
public sealed class BlobClusterOptions
{
    /// <summary>The most copies of a blob a cluster may keep.</summary>
    public const int MaxReplicas = 16;

    /// <summary>The default <see cref="InlineCopyLimit"/>: 64 KiB.</summary>
    public const int DefaultInlineCopyLimit = 64 * 1024;

    /// <summary>The largest <see cref="InlineCopyLimit"/>: an Orleans message carries the bytes, and big ones belong on a QUIC stream.</summary>
    public const int MaxInlineCopyLimit = 1 << 20;

    /// <summary>The longest wait the repair loop and copy deadline take (timers and semaphores: int.MaxValue milliseconds, about 24.9 days).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Copies of every blob (R), 1 to <see cref="MaxReplicas"/>; fewer while fewer silos are active. Default: 2.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>How often each silo re-checks the blobs it ranks first for (also on every membership change); positive, at most int.MaxValue milliseconds. Default: 30 s.</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each silo reconciles every local blob's row with the cluster's record (also at
    /// start): catches an extend or delete that did not reach it while it was unreachable but
    /// not declared dead. Positive. Default: 10 min.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after a membership change a repair pass starts (changes come in bursts); zero or more, at most int.MaxValue milliseconds. Default: 1 s.</summary>
    public TimeSpan RepairDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A silo alone (the SQLite default): its store is the only copy by definition, so blobs get
    /// no grain records — a small PUT then costs what it did before clustering (measured:
    /// recording each blob in a grain halved small-PUT throughput on SQLite). Default: false.
    /// </summary>
    public bool Standalone { get; set; }

    /// <summary>How many blobs one silo repairs at once; at least 1. Default: 4.</summary>
    public int RepairConcurrency { get; set; } = 4;

    /// <summary>How long one replica copy (a verified download between silos) may take; positive, at most int.MaxValue milliseconds. Default: 10 min.</summary>
    public TimeSpan CopyTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Blobs of at most this many bytes reach their other replicas inside the grain calls that
    /// register them (<see cref="BlobRegistration.Content"/>) instead of each replica fetching them
    /// back from the uploader's silo over QUIC: for a 4 KiB blob that fetch was half of a cluster
    /// PUT's latency (measured in bench/RESULTS.md, issue 17). 0 turns it off; at most
    /// <see cref="MaxInlineCopyLimit"/>. Default: <see cref="DefaultInlineCopyLimit"/>.
    /// </summary>
    public int InlineCopyLimit { get; set; } = DefaultInlineCopyLimit;

    /// <summary>Throws if a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// Replicas not in 1..<see cref="MaxReplicas"/>, an interval or timeout that is not positive or
    /// too long, a negative debounce, concurrency below 1, or an inline copy limit outside 0..<see cref="MaxInlineCopyLimit"/>; the message names the option, its value and what is allowed.
    /// </exception>
    public void Validate()
    {
        if (Replicas is < 1 or > MaxReplicas)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), $"BlobClusterOptions.Replicas is {Replicas}; it must be 1 to {MaxReplicas}.");
        }

        Positive(RepairInterval, nameof(RepairInterval), MaxWait);
        Positive(ReconcileInterval, nameof(ReconcileInterval), TimeSpan.MaxValue);
        if (RepairDebounce < TimeSpan.Zero || RepairDebounce > MaxWait)
        {
            throw new ArgumentOutOfRangeException(nameof(RepairDebounce), $"BlobClusterOptions.RepairDebounce is {RepairDebounce}; it must be zero or more and at most {MaxWait}.");
        }

        if (RepairConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RepairConcurrency), $"BlobClusterOptions.RepairConcurrency is {RepairConcurrency}; it must be at least 1.");
        }

        Positive(CopyTimeout, nameof(CopyTimeout), MaxWait);
        if (InlineCopyLimit is < 0 or > MaxInlineCopyLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(InlineCopyLimit), $"BlobClusterOptions.InlineCopyLimit is {InlineCopyLimit}; it must be 0 (off) to {MaxInlineCopyLimit} bytes.");
        }
    }

    private static void Positive(TimeSpan value, string name, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            string allowed = max == TimeSpan.MaxValue ? "positive" : $"positive and at most {max}";
            throw new ArgumentOutOfRangeException(name, $"BlobClusterOptions.{name} is {value}; it must be {allowed}.");
        }
    }
}
