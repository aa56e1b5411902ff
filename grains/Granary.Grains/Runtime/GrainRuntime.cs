using System.Collections.Concurrent;
using System.Net;
using Granary.Blobs.Protocol;
using Granary.Grains.Membership;
using Granary.Grains.Storage;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Runtime;

/// <summary>
/// A silo's grain runtime: activations of the grains this silo owns, location-transparent calls
/// (in-process when the owner is this silo, otherwise one QUIC stream per call on
/// <c>granary/rpc/1</c>), silo services, observers and the membership agent that keeps the view.
/// </summary>
public sealed partial class GrainRuntime : IAsyncDisposable
{
    /// <summary>The ALPN of grain calls between silos.</summary>
    public const string Alpn = "granary/rpc/1";

    private readonly Dictionary<string, Func<Grain>> _grainTypes = [];
    private readonly Dictionary<string, ISiloService> _services = [];
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();
    private readonly ConcurrentDictionary<long, Func<BlobMessage, CancellationToken, Task>> _observers = new();
    private readonly ILogger _logger;
    private readonly MembershipOptions _membershipOptions;
    private readonly ILoggerFactory _loggers;
    private readonly SiloIncarnation _self;
    private MembershipAgent? _membership;
    private readonly ConcurrentDictionary<NodeId, long> _unreachableUntil = new();
    private ConnectionPool? _pool;
    private long _nextObserver;
    private Dictionary<NodeId, long> _servingGenerations = [];

    /// <summary>A runtime for incarnation <paramref name="self"/>, keeping state in <paramref name="database"/>.</summary>
    public GrainRuntime(
        ClusterDatabase database, SiloIncarnation self, GrainRuntimeOptions options, MembershipOptions membership,
        ILoggerFactory loggers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        Database = database;
        Options = options;
        Time = time ?? TimeProvider.System;
        StateStore = new GrainStateStore(database);
        Table = new MembershipTable(database);
        _logger = loggers.CreateLogger<GrainRuntime>();
        _loggers = loggers;
        _membershipOptions = membership;
        _self = self;
    }

    /// <summary>This silo's incarnation.</summary>
    public SiloIncarnation Self => _self;

    /// <summary>True once <see cref="StartAsync"/> has joined the cluster.</summary>
    public bool IsStarted => _membership is not null;

    /// <summary>The current membership view (empty before start).</summary>
    public MembershipSnapshot View => _membership?.View ?? new MembershipSnapshot(0, []);

    /// <summary>The membership agent (drain, refresh).</summary>
    public MembershipAgent Membership => _membership ?? throw new InvalidOperationException("the runtime has not started");

    /// <summary>Grain state storage.</summary>
    public GrainStateStore StateStore { get; }

    /// <summary>The membership table.</summary>
    public MembershipTable Table { get; }

    /// <summary>The cluster database.</summary>
    public ClusterDatabase Database { get; }

    /// <summary>Options.</summary>
    public GrainRuntimeOptions Options { get; }

    /// <summary>Clock for timers and idle collection.</summary>
    public TimeProvider Time { get; }

    /// <summary>How many activations this silo holds now.</summary>
    public int ActivationCount => _activations.Count;

    /// <summary>Raised after the membership view changed.</summary>
    public event Action<MembershipSnapshot>? ViewChanged;

    /// <summary>Makes grain type <paramref name="type"/> available; call before <see cref="StartAsync"/>.</summary>
    public void AddGrainType(string type, Func<Grain> factory) => _grainTypes.Add(type, factory);

    /// <summary>Makes a silo service available; call before <see cref="StartAsync"/>.</summary>
    public void AddSiloService(ISiloService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _services.Add(service.Name, service);
    }

    /// <summary>The protocol handler for <see cref="Alpn"/>, to register with the silo's router before it starts.</summary>
    public IProtocolHandler CreateProtocolHandler() => new RpcProtocolHandler(this);

    /// <summary>
    /// Joins the cluster through <paramref name="endpoint"/> (the silo's endpoint, so peers see its
    /// node id), advertising <paramref name="address"/> for peers to dial.
    /// </summary>
    public async Task StartAsync(QuicEndpoint endpoint, IPEndPoint address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _pool = new ConnectionPool(endpoint, new ConnectionPoolOptions { ConnectTimeout = TimeSpan.FromSeconds(2) }, Time);
        var agent = new MembershipAgent(Table, _self, address, _membershipOptions, PingAsync, _loggers.CreateLogger<MembershipAgent>(), Time);
        agent.ViewChanged += OnViewChanged;
        _membership = agent;
        await agent.JoinAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs membership and activation collection until cancelled.</summary>
    /// <exception cref="SiloDeclaredDeadException">This silo was declared dead; the host must stop.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task collector = CollectLoopAsync(stop.Token);
        try
        {
            await Membership.RunAsync(stop.Token).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await collector.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    /// <summary>Calls <paramref name="method"/> on grain <paramref name="grain"/> wherever it is activated.</summary>
    /// <exception cref="BlobProtocolException">The grain reported an error (its status and message).</exception>
    /// <exception cref="TimeoutException">No owner answered within <see cref="GrainRuntimeOptions.CallTimeout"/>.</exception>
    public async Task<BlobMessage> CallAsync(GrainId grain, string method, BlobMessage arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        TimeSpan limit = timeout ?? Options.CallTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        string? lastProblem = null;
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 20 << Math.Min(attempt, 6))), Time, deadline.Token).ConfigureAwait(false);
                    await Membership.RefreshAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"call {grain}.{method} found no owner that answered within {limit.TotalSeconds:0} s: {lastProblem}");
                }
            }

            MembershipSnapshot view = View;
            SiloEntry? owner = Placement.Owner(grain, view);
            if (owner is null)
            {
                lastProblem = "no active silo in the view";
                continue;
            }

            try
            {
                if (owner.Incarnation == Self)
                {
                    return AsOnTheWire(await InvokeLocalAsync(grain, method, AsOnTheWire(arguments), deadline.Token).ConfigureAwait(false));
                }

                BlobMessage reply = await SendAsync(owner, new BlobMessage(
                [
                    new("op", "call"), new("type", grain.Type), new("key", grain.Key), new("method", method),
                    new("args", arguments.Fields), new("view", view.Version),
                ]), deadline.Token).ConfigureAwait(false);
                return reply.Nested("result") ?? new BlobMessage([]);
            }
            catch (NotOwnerException error)
            {
                lastProblem = error.Message;
            }
            catch (BlobProtocolException error) when (error.Status is RpcStatus.NotOwner or RpcStatus.Unavailable)
            {
                lastProblem = error.Message;
            }
            catch (QuicException error)
            {
                lastProblem = $"owner {owner.Incarnation} unreachable: {error.Message}";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"call {grain}.{method} did not complete within {limit.TotalSeconds:0} s");
            }
        }
    }

    /// <summary>Calls service <paramref name="service"/> on one particular silo (no retry: the caller picked the silo).</summary>
    /// <exception cref="BlobProtocolException">The service reported an error.</exception>
    /// <exception cref="QuicException">The silo could not be reached.</exception>
    public async Task<BlobMessage> CallSiloAsync(SiloEntry silo, string service, string method, BlobMessage arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (silo.Incarnation == Self)
        {
            return AsOnTheWire(await LocalService(service).InvokeAsync(method, AsOnTheWire(arguments), cancellationToken).ConfigureAwait(false));
        }

        // A silo that just failed to answer is not dialled again for a moment: a repair pass over
        // thousands of blobs must not wait out a connect timeout for each one while the silo is
        // being declared dead.
        if (_unreachableUntil.TryGetValue(silo.Node, out long until) && Time.GetTimestamp() < until)
        {
            throw new QuicException(QuicError.ConnectionRefused, null, $"silo {silo.Incarnation} did not answer a moment ago; not trying again yet");
        }

        try
        {
            BlobMessage reply = await SendAsync(silo, new BlobMessage(
                [new("op", "silo"), new("service", service), new("method", method), new("args", arguments.Fields)]), cancellationToken).ConfigureAwait(false);
            return reply.Nested("result") ?? new BlobMessage([]);
        }
        catch (QuicException error) when (error.Error is QuicError.ConnectionRefused or QuicError.ConnectionIdle or QuicError.ConnectionLost)
        {
            _unreachableUntil[silo.Node] = Time.GetTimestamp() + (long)(UnreachableBackoff.TotalSeconds * Time.TimestampFrequency);
            throw;
        }
    }

    /// <summary>How long a silo that failed to answer a service call is skipped.</summary>
    public static TimeSpan UnreachableBackoff { get; } = TimeSpan.FromSeconds(3);

    /// <summary>A pooled connection from this silo's endpoint (its own key) to another node, for other protocols (blob copies).</summary>
    public Task<PooledConnection> ConnectAsync(NodeId node, IPEndPoint address, string alpn, CancellationToken cancellationToken) =>
        (_pool ?? throw new InvalidOperationException("the runtime has not started")).LeaseAsync(address, node, alpn, cancellationToken);

    /// <summary>Registers <paramref name="handler"/> as an observer grains can notify; dispose the result to unregister.</summary>
    public ObserverRegistration CreateObserver(Func<BlobMessage, CancellationToken, Task> handler)
    {
        long id = Interlocked.Increment(ref _nextObserver);
        _observers[id] = handler;
        return new ObserverRegistration(new ObserverReference(Self.Node, id), () => _observers.TryRemove(id, out _));
    }

    /// <summary>Delivers <paramref name="notification"/> to an observer; false if it is gone or its silo cannot be reached.</summary>
    public async Task<bool> NotifyAsync(ObserverReference observer, BlobMessage notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (observer.Silo == Self.Node)
        {
            return await DeliverAsync(observer.Id, AsOnTheWire(notification), cancellationToken).ConfigureAwait(false);
        }

        SiloEntry? silo = View.FindServing(observer.Silo);
        if (silo is null)
        {
            return false;
        }

        try
        {
            await SendAsync(silo, new BlobMessage([new("op", "notify"), new("observer", observer.Id), new("event", notification.Fields)]), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is QuicException or BlobProtocolException)
        {
            return false;
        }
    }

    /// <summary>Answers a probe from <paramref name="silo"/>; true if it answered as the expected incarnation.</summary>
    public async Task<bool> PingAsync(SiloEntry silo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silo);
        BlobMessage reply = await SendAsync(silo, new BlobMessage([new("op", "ping")]), cancellationToken).ConfigureAwait(false);
        return reply.Number("generation") == silo.Incarnation.Generation;
    }

    /// <summary>Deactivates every activation and leaves the cluster (status Dead), so peers need not detect it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        if (_membership is null)
        {
            return;
        }

        try
        {
            await _membership.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Leaving is a courtesy: if the database is gone, peers detect the death instead.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LeaveFailed(_logger, error.Message);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync().ConfigureAwait(false);
        }

        _membership?.Dispose();
    }

    /// <summary>
    /// A message exactly as the far side of a stream would decode it (strings as bytes, ints as
    /// longs, a copy): an in-process call then behaves the same as a remote one.
    /// </summary>
    internal static BlobMessage AsOnTheWire(BlobMessage message) =>
        new((SortedDictionary<string, object>)Bencode.Decode(Bencode.Encode(message.Fields)));

    internal void TimerFailed(GrainId grain, Exception error) => TimerTickFailed(_logger, grain, error);

    internal ISiloService LocalService(string name) =>
        _services.TryGetValue(name, out ISiloService? service) ? service : throw new BlobProtocolException(BlobStatus.UnknownOperation, $"this silo has no service '{name}'");

    internal Task<bool> DeliverAsync(long observer, BlobMessage notification, CancellationToken cancellationToken) =>
        _observers.TryGetValue(observer, out var handler) ? DeliverToAsync(handler, notification, cancellationToken) : Task.FromResult(false);

    private static async Task<bool> DeliverToAsync(Func<BlobMessage, CancellationToken, Task> handler, BlobMessage notification, CancellationToken cancellationToken)
    {
        await handler(notification, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs a call on this silo's activation, refusing if this silo does not own the grain in its current view.</summary>
    internal async Task<BlobMessage> InvokeLocalAsync(GrainId grain, string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (Placement.Owner(grain, View)?.Incarnation != Self)
            {
                throw new NotOwnerException($"silo {Self} does not own {grain} in view {View.Version}");
            }

            Activation activation = _activations.GetOrAdd(grain, id => CreateActivation(id));
            try
            {
                await activation.EnsureActivatedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                // Activation itself failed (its state could not be read), or a view change
                // deactivated it before its first turn: do not keep a broken one; in the second
                // case activate afresh (the ownership check above runs again).
                _activations.TryRemove(new KeyValuePair<GrainId, Activation>(grain, activation));
                if (error is ActivationGoneException && attempt < 3)
                {
                    continue;
                }

                throw;
            }

            try
            {
                BlobMessage result = await activation.InvokeAsync(method, arguments, cancellationToken).ConfigureAwait(false);
                if (activation.DeactivationRequested)
                {
                    await RemoveAsync(activation, CancellationToken.None).ConfigureAwait(false);
                }

                return result;
            }
            catch (ActivationGoneException) when (attempt < 3)
            {
                // Deactivated while the call waited for its turn: activate afresh.
                _activations.TryRemove(new KeyValuePair<GrainId, Activation>(grain, activation));
            }
            catch (InconsistentStateException error)
            {
                StaleActivation(_logger, grain, error.Message);
                await RemoveAsync(activation, CancellationToken.None).ConfigureAwait(false);
                throw new BlobProtocolException(RpcStatus.Unavailable, $"stale activation of {grain} on {Self}: {error.Message}");
            }
        }
    }

    private Activation CreateActivation(GrainId id)
    {
        if (!_grainTypes.TryGetValue(id.Type, out Func<Grain>? factory))
        {
            throw new BlobProtocolException(BlobStatus.UnknownOperation, $"no grain type '{id.Type}' on this silo");
        }

        Grain grain = factory();
        var activation = new Activation(id, grain, this);
        grain.Attach(activation);
        return activation;
    }

    private async Task RemoveAsync(Activation activation, CancellationToken cancellationToken)
    {
        _activations.TryRemove(new KeyValuePair<GrainId, Activation>(activation.Id, activation));
        try
        {
            await activation.DeactivateAsync(cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing OnDeactivateAsync must not keep the activation alive.
        catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
        {
            DeactivationFailed(_logger, activation.Id, error.Message);
        }
    }

    private void OnViewChanged(MembershipSnapshot view)
    {
        // Connections to incarnations that died or were replaced go now: calls waiting on them
        // fail at once (and are retried against the new view) instead of after the idle timeout.
        var serving = view.Serving.GroupBy(s => s.Node).ToDictionary(g => g.Key, g => g.Max(s => s.Incarnation.Generation));
        foreach (var (node, generation) in _servingGenerations)
        {
            if (!serving.TryGetValue(node, out long now) || now != generation)
            {
                _pool?.Evict(node);
            }
        }

        _servingGenerations = serving;
        ViewChanged?.Invoke(view);

        // Activations this silo no longer owns go now, so the new owner's activation is the only one left.
        foreach (Activation activation in _activations.Values)
        {
            if (Placement.Owner(activation.Id, view)?.Incarnation != Self)
            {
                _ = RemoveAsync(activation, CancellationToken.None);
            }
        }
    }

    private async Task CollectLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.CollectionInterval, Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (Activation activation in _activations.Values)
            {
                if (!activation.IsBusy && Time.GetElapsedTime(activation.LastUsed) > Options.IdleTimeout)
                {
                    await RemoveAsync(activation, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        foreach (Activation activation in _activations.Values)
        {
            await RemoveAsync(activation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One request on its own stream. The request's send side stays open until the reply arrives:
    /// if the caller gives up it resets it, which is how cancellation reaches the callee.
    /// </summary>
    private async Task<BlobMessage> SendAsync(SiloEntry silo, BlobMessage request, CancellationToken cancellationToken)
    {
        ConnectionPool pool = _pool ?? throw new InvalidOperationException("the runtime has not started");
        using PooledConnection lease = await pool.LeaseAsync(silo.Address, silo.Node, Alpn, cancellationToken).ConfigureAwait(false);
        QuicStream stream = await lease.Connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using CancellationTokenRegistration abort = cancellationToken.Register(() => stream.Abort(QuicAbortDirection.Both, RpcStatus.Cancelled));
            await request.WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            BlobMessage reply = await BlobMessage.ReadAsync(stream, cancellationToken).ConfigureAwait(false)
                ?? throw new QuicException(QuicError.ConnectionAborted, null, $"silo {silo.Incarnation} closed the call without a reply");
            stream.CompleteWrites();
            cancellationToken.ThrowIfCancellationRequested();
            return reply.EnsureOk();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timer of {Grain} failed")]
    private static partial void TimerTickFailed(ILogger logger, GrainId grain, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activation of {Grain} is stale and deactivates: {Reason}")]
    private static partial void StaleActivation(ILogger logger, GrainId grain, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivating {Grain} failed: {Reason}")]
    private static partial void DeactivationFailed(ILogger logger, GrainId grain, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not leave the membership table cleanly: {Reason}")]
    private static partial void LeaveFailed(ILogger logger, string reason);
}

/// <summary>Status codes of <c>granary/rpc/1</c> beyond the blob protocol's.</summary>
public static class RpcStatus
{
    /// <summary>This silo does not own the grain in its view; refresh the view and retry.</summary>
    public const int NotOwner = 409;

    /// <summary>
    /// The activation was stale (its state write was refused); retry against the current owner.
    /// Not 503: a grain's own 503 ("not enough copies") must reach the caller, not be retried.
    /// </summary>
    public const int Unavailable = 513;

    /// <summary>Stream reset code: the caller cancelled.</summary>
    public const int Cancelled = 499;
}

/// <summary>This silo does not own the grain in its current view.</summary>
internal sealed class NotOwnerException(string message) : Exception(message);

/// <summary>Where notifications for an observer go: a silo and an id local to it.</summary>
public readonly record struct ObserverReference(NodeId Silo, long Id)
{
    /// <summary>Parses the form <see cref="ToString"/> writes.</summary>
    public static ObserverReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.LastIndexOf('/');
        return new ObserverReference(NodeId.Parse(text[..slash]), long.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Silo}/{Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>A registered observer; dispose to stop receiving.</summary>
public sealed class ObserverRegistration(ObserverReference reference, Action unregister) : IDisposable
{
    /// <summary>What to hand to a grain's subscribe method.</summary>
    public ObserverReference Reference { get; } = reference;

    /// <inheritdoc/>
    public void Dispose() => unregister();
}
