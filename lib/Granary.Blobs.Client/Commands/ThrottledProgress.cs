namespace Granary.Blobs.Commands;

/// <summary>
/// Byte progress turned into a report every 100 ms or every 1/64 of the total, whichever comes
/// first: Write-Progress is not free, yet a bar should move with each step a user can see.
/// </summary>
internal sealed class ThrottledProgress(ICommandHost host, int activity, string name, string target, long total) : IProgress<long>
{
    private readonly long _step = Math.Max(1, total / 64);
    private readonly Lock _gate = new();
    private long _lastReport = Environment.TickCount64 - 1000;
    private long _lastValue = long.MinValue / 2;

    public void Report(long value)
    {
        long now = Environment.TickCount64;
        lock (_gate)
        {
            if (now - _lastReport < 100 && value - _lastValue < _step)
            {
                return;
            }

            _lastReport = now;
            _lastValue = value;
        }

        host.Progress(new TransferProgress(activity, name, target, value, total));
    }

    public void Complete() => host.Progress(new TransferProgress(activity, name, target, total, total, Completed: true));
}
