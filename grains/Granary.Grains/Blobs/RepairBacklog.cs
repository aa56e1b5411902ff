namespace Granary.Grains.Blobs;

/// <summary>This silo's count of blobs short of R copies at its last repair pass (-1 before the first); shared by <see cref="RepairService"/> and <see cref="ReplicaGrain"/>.</summary>
public sealed class RepairBacklog
{
    private long _count = -1;

    /// <summary>The count.</summary>
    public long Count
    {
        get => Interlocked.Read(ref _count);
        set => Interlocked.Exchange(ref _count, value);
    }

    /// <summary>Raised when another silo asks this one to repair soon (a drain, a join).</summary>
    public event Action? RepairRequested;

    /// <summary>Asks the repair service for a pass soon.</summary>
    public void RequestRepair() => RepairRequested?.Invoke();
}
