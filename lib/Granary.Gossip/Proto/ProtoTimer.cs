using Granary.Hashing;

namespace Granary.Gossip.Proto;

/// <summary>A timer a topic asks its driver for (<see cref="OutEvent{TPeer}.ScheduleTimer"/>) and gets back as <see cref="InEvent{TPeer}.TimerExpired"/>.</summary>
public abstract record ProtoTimer
{
    private ProtoTimer()
    {
    }

    /// <summary>HyParView: time for the periodic shuffle.</summary>
    public sealed record Shuffle : ProtoTimer;

    /// <summary>HyParView: try to fill the active view from the passive view.</summary>
    public sealed record Refill : ProtoTimer;

    /// <summary>PlumTree: send the gathered IHaves.</summary>
    public sealed record DispatchIHaves : ProtoTimer;

    /// <summary>PlumTree: message <paramref name="Id"/> was announced but has not arrived: graft an announcer.</summary>
    /// <param name="Id">The missing message.</param>
    public sealed record Graft(Blake3Hash Id) : ProtoTimer;

    /// <summary>Drop expired message contents and ids.</summary>
    public sealed record Evict : ProtoTimer;
}
