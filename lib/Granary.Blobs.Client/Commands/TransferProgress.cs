namespace Granary.Blobs.Commands;

/// <summary>Progress of one transfer: shown by PowerShell's Write-Progress, by tests counted.</summary>
/// <param name="ActivityId">Distinguishes concurrent transfers.</param>
/// <param name="Activity">What is happening ("Uploading big.iso").</param>
/// <param name="Target">The local file or directory written or read (full path).</param>
/// <param name="Done">Bytes done.</param>
/// <param name="Total">Bytes in all (0 if unknown).</param>
/// <param name="Completed">True on the last report of this activity.</param>
public sealed record TransferProgress(int ActivityId, string Activity, string Target, long Done, long Total, bool Completed = false)
{
    /// <summary>0-100, or -1 when the total is unknown.</summary>
    public int Percent => Total > 0 ? (int)Math.Min(100, Done * 100 / Total) : -1;
}
