using Granary.Blobs.Protocol;

namespace Granary.Grains.Runtime;

/// <summary>
/// One live grain instance on this silo. A single-permit gate makes every call, timer tick and
/// lifecycle hook a turn: one at a time, in arrival order (SemaphoreSlim queues waiters FIFO).
/// </summary>
#pragma warning disable CA1001 // Calls may still be queued on the gate when an activation is dropped; disposing it would fault them instead of letting them see 'gone'.
internal sealed class Activation(GrainId id, Grain grain, GrainRuntime runtime)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<ITimer> _timers = [];
    private Task? _activated;
    private int _running;

    public GrainId Id { get; } = id;

    public Grain Grain { get; } = grain;

    public GrainRuntime Runtime { get; } = runtime;

    /// <summary>When the last turn ended (TimeProvider timestamp), for idle collection.</summary>
    public long LastUsed { get; private set; } = runtime.Time.GetTimestamp();

    /// <summary>Set when a state write was refused: this activation must not serve again.</summary>
    public bool IsStale { get; private set; }

    public bool DeactivationRequested { get; private set; }

    public bool IsDeactivated { get; private set; }

    public bool IsBusy => Volatile.Read(ref _running) > 0;

    /// <summary>The first turn, shared by every caller: no one caller's cancellation may fail it for the others.</summary>
    public Task EnsureActivatedAsync()
    {
        lock (_turn)
        {
            _activated ??= RunTurnAsync(ct => Grain.OnActivateAsync(ct), CancellationToken.None);
            return _activated;
        }
    }

    public async Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        BlobMessage? result = null;
        await RunTurnAsync(async ct => result = await Grain.InvokeAsync(method, arguments, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return result!;
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> tick, TimeSpan period)
    {
        ITimer? timer = null;
        timer = Runtime.Time.CreateTimer(
            _ => _ = TickAsync(),
            null,
            period,
            period);
        lock (_timers)
        {
            _timers.Add(timer);
        }

        return timer;

        async Task TickAsync()
        {
            try
            {
                await RunTurnAsync(tick, _lifetime.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failing tick is logged; the timer keeps its schedule, as Orleans' timers do.
            catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Runtime.TimerFailed(Id, error);
            }
            catch (OperationCanceledException)
            {
                // Deactivated.
            }
        }
    }

    public void RequestDeactivation() => DeactivationRequested = true;

    public void MarkStale()
    {
        IsStale = true;
        DeactivationRequested = true;
    }

    /// <summary>The last turn: OnDeactivateAsync, then no more turns run.</summary>
    public async Task DeactivateAsync(CancellationToken cancellationToken)
    {
        lock (_timers)
        {
            foreach (ITimer timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }

        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsDeactivated)
            {
                return;
            }

            IsDeactivated = true;
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (!IsStale && _activated is { IsCompletedSuccessfully: true })
            {
                await Grain.OnDeactivateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task RunTurnAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (IsDeactivated || IsStale)
                {
                    throw new ActivationGoneException(Id);
                }

                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
                await work(linked.Token).ConfigureAwait(false);
            }
            finally
            {
                LastUsed = Runtime.Time.GetTimestamp();
                _turn.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}

#pragma warning restore CA1001

/// <summary>The activation a call was queued on deactivated first; the runtime retries on a fresh one.</summary>
internal sealed class ActivationGoneException(GrainId id) : Exception($"the activation of {id} is gone");
