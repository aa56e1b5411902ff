using Granary.Blobs.Protocol;
using Granary.Grains.Storage;

namespace Granary.Grains.Runtime;

/// <summary>
/// Base of every grain class. The runtime creates one activation per grain id in the cluster and
/// runs its calls, timer ticks and activation hooks one turn at a time, so grain code needs no
/// locks. Calls arrive through <see cref="InvokeAsync"/> as a method name and bencoded arguments
/// (the job Orleans' generated code does; here each grain dispatches by hand).
/// </summary>
public abstract class Grain
{
    private Activation? _activation;

    /// <summary>This grain's identity.</summary>
    public GrainId Id => Activation.Id;

    /// <summary>The runtime of the silo this activation lives on: other grains, silo services, the membership view.</summary>
    protected GrainRuntime Runtime => Activation.Runtime;

    private Activation Activation => _activation ?? throw new InvalidOperationException("the grain is not activated yet");

    /// <summary>Called in the first turn, before any call. Read state here.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called in the last turn when the activation is idle, no longer owned here, or the silo stops.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs the grain method <paramref name="method"/>; throw <see cref="BlobProtocolException"/> for errors the caller should see.</summary>
    public abstract Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="tick"/> every <paramref name="period"/> as a turn of this activation
    /// (never concurrently with a call). Timers end with the activation; dispose to stop earlier.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> tick, TimeSpan period) => Activation.RegisterTimer(tick, period);

    /// <summary>Asks the runtime to deactivate this activation after the current turn.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();

    /// <summary>The stored state of this grain, read with its version; writes are fenced (see <see cref="GrainStateStore"/>).</summary>
    protected PersistentState<T> State<T>(Func<T> empty, Func<T, byte[]> encode, Func<byte[], T> decode) =>
        new(Activation, empty, encode, decode);

    internal void Attach(Activation activation) => _activation = activation;
}

/// <summary>
/// A grain's persistent state: the value and the version (ETag) it was read at. A write carries
/// that version; if another activation wrote since, or this silo is no longer an active member,
/// the write fails with <see cref="InconsistentStateException"/> and this activation deactivates.
/// </summary>
public sealed class PersistentState<T>
{
    private readonly Activation _activation;
    private readonly Func<T> _empty;
    private readonly Func<T, byte[]> _encode;
    private readonly Func<byte[], T> _decode;

    internal PersistentState(Activation activation, Func<T> empty, Func<T, byte[]> encode, Func<byte[], T> decode)
    {
        _activation = activation;
        _empty = empty;
        _encode = encode;
        _decode = decode;
        Value = empty();
    }

    /// <summary>The current value (the empty value until read, or when nothing is stored).</summary>
    public T Value { get; set; }

    /// <summary>The stored version this value was read at or last written as; 0 when nothing is stored.</summary>
    public long ETag { get; private set; }

    /// <summary>True when the grain has stored state.</summary>
    public bool Exists => ETag != 0;

    /// <summary>Reads the stored value.</summary>
    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        StoredState stored = await _activation.Runtime.StateStore.ReadAsync(_activation.Id, cancellationToken).ConfigureAwait(false);
        Value = stored.Payload is null ? _empty() : _decode(stored.Payload);
        ETag = stored.Version;
    }

    /// <summary>Writes <see cref="Value"/> over the version last read or written.</summary>
    /// <exception cref="InconsistentStateException">This activation is stale; it deactivates after this turn.</exception>
    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        try
        {
            ETag = await _activation.Runtime.StateStore.WriteAsync(_activation.Id, _encode(Value), ETag, _activation.Runtime.Self, cancellationToken).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            _activation.MarkStale();
            throw;
        }
    }

    /// <summary>Deletes the stored state; the value becomes empty.</summary>
    /// <exception cref="InconsistentStateException">As for <see cref="WriteAsync"/>.</exception>
    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _activation.Runtime.StateStore.DeleteAsync(_activation.Id, ETag, _activation.Runtime.Self, cancellationToken).ConfigureAwait(false);
        }
        catch (InconsistentStateException)
        {
            _activation.MarkStale();
            throw;
        }

        ETag = 0;
        Value = _empty();
    }
}
