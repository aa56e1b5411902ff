using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Membership;

/// <summary>A silo that read itself as dead in the membership table: it must stop at once.</summary>
public sealed class SiloDeclaredDeadException(string message) : Exception(message);

/// <summary>
/// This silo's part in membership: join (insert, then Active), heartbeat, re-read the table,
/// probe ring successors and vote silent ones dead, and notice when it was itself declared dead.
/// All changes go through <see cref="MembershipTable"/>'s compare-and-swap and are retried on a
/// fresh read when another silo wins the race.
/// </summary>
public sealed partial class MembershipAgent : IDisposable
{
    private const int CasAttempts = 10;
    private readonly MembershipTable _table;
    private readonly MembershipOptions _options;
    private readonly Func<SiloEntry, CancellationToken, Task<bool>> _probe;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<SiloIncarnation, int> _missed = [];
    private readonly TaskCompletionSource _declaredDead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MembershipSnapshot _view = new(0, []);
    private bool _seenSelf;
    private volatile bool _leaving;

    /// <summary>An agent for incarnation <paramref name="self"/> reachable at <paramref name="address"/>.</summary>
    public MembershipAgent(
        MembershipTable table, SiloIncarnation self, IPEndPoint address, MembershipOptions options,
        Func<SiloEntry, CancellationToken, Task<bool>> probe, ILogger logger, TimeProvider? time = null)
    {
        _table = table;
        Self = self;
        Address = address;
        _options = options;
        _probe = probe;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>This silo.</summary>
    public SiloIncarnation Self { get; }

    /// <summary>The address peers dial.</summary>
    public IPEndPoint Address { get; }

    /// <summary>The latest view read from the table.</summary>
    public MembershipSnapshot View => Volatile.Read(ref _view);

    /// <summary>Completes (with the reason) when this silo finds it was declared dead or removed.</summary>
    public Task DeclaredDead => _declaredDead.Task;

    /// <summary>Raised after the view changed (table version moved), with the new view.</summary>
    public event Action<MembershipSnapshot>? ViewChanged;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Inserts this incarnation as Joining, declares this node's older incarnations dead (they are
    /// a previous run of the same data directory), then becomes Active.
    /// </summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        long now = NowMs;
        var entry = new SiloEntry(Self, Address, SiloStatus.Joining, [], now, now, 0);
        await RetryCasAsync("join", async view => view.Find(Self) is not null || await _table.TryInsertAsync(entry, view.Version, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

        foreach (SiloEntry old in View.Silos.Where(s => s.Node == Self.Node && s.Incarnation.Generation < Self.Generation && s.Status != SiloStatus.Dead))
        {
            await TrySetStatusAsync(old.Incarnation, SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
        }

        await TrySetStatusAsync(Self, SiloStatus.Active, cancellationToken).ConfigureAwait(false);
        Joined(_logger, Self, View.Active.Count);
    }

    /// <summary>Sets <paramref name="incarnation"/>'s status (drain, leave, declare dead); false if it is already Dead or gone.</summary>
    public Task<bool> TrySetStatusAsync(SiloIncarnation incarnation, SiloStatus status, CancellationToken cancellationToken) =>
        RetryCasAsync($"set {incarnation} {status}", async view =>
        {
            SiloEntry? row = view.Find(incarnation);
            if (row is null || row.Status == SiloStatus.Dead || row.Status == status)
            {
                return true;
            }

            return await _table.TryUpdateAsync(row with { Status = status }, row.ETag, view.Version, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Leaves the cluster on purpose (graceful stop, drained): marks this incarnation Dead without counting as declared dead.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        _leaving = true;
        await TrySetStatusAsync(Self, SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-reads the table now; raises <see cref="ViewChanged"/> if it moved.</summary>
    public async Task<MembershipSnapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        MembershipSnapshot fresh;
        bool changed;
        try
        {
            fresh = await _table.ReadAsync(cancellationToken).ConfigureAwait(false);
            MembershipSnapshot old = View;
            changed = fresh.Version != old.Version;
            if (fresh.Version >= old.Version)
            {
                Volatile.Write(ref _view, fresh);
            }
        }
        finally
        {
            _refreshGate.Release();
        }

        // Dead, or the row vanished after it was seen (an operator cleaned the table): stop either way.
        SiloEntry? me = fresh.Find(Self);
        if (me is { Status: SiloStatus.Dead } || (me is null && _seenSelf))
        {
            if (_leaving)
            {
                _left.TrySetResult();
            }
            else
            {
                _declaredDead.TrySetResult();
            }
        }

        _seenSelf |= me is not null;

        if (changed)
        {
            ViewChanged?.Invoke(fresh);
        }

        return fresh;
    }

    /// <summary>Refreshes, heartbeats and probes until cancelled, this silo left, or it is declared dead.</summary>
    /// <exception cref="SiloDeclaredDeadException">This silo was declared dead by its peers.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Task refresh = LoopAsync(_options.RefreshInterval, RefreshAsync, cancellationToken);
        Task heartbeat = LoopAsync(_options.HeartbeatInterval, ct => _table.HeartbeatAsync(Self, NowMs, ct), cancellationToken);
        Task probe = LoopAsync(_options.ProbeInterval, ProbeRoundAsync, cancellationToken);
        Task first = await Task.WhenAny(refresh, heartbeat, probe, _declaredDead.Task.WaitAsync(cancellationToken), _left.Task).ConfigureAwait(false);
        if (first == _left.Task)
        {
            return;
        }

        await first.ConfigureAwait(false);
        if (_declaredDead.Task.IsCompleted)
        {
            throw new SiloDeclaredDeadException($"silo {Self} was declared dead by its peers (it did not answer their probes in time); it stops so that another silo can own its grains");
        }
    }

    private async Task LoopAsync(TimeSpan period, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await step(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The database or a peer failing for a moment must not stop the loop.
                StepFailed(_logger, error.Message);
            }
        }
    }

    private async Task ProbeRoundAsync(CancellationToken cancellationToken)
    {
        // Successors on the ring of serving silos ordered by node id, so probing load is spread evenly.
        List<SiloEntry> ring = View.Serving.OrderBy(s => s.Node.ToString(), StringComparer.Ordinal).ToList();
        int me = ring.FindIndex(s => s.Incarnation == Self);
        if (me < 0)
        {
            return;
        }

        var targets = Enumerable.Range(1, Math.Min(_options.ProbedSilos, ring.Count - 1)).Select(i => ring[(me + i) % ring.Count]).ToList();
        await Task.WhenAll(targets.Select(async target =>
        {
            bool answered;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_options.ProbeTimeout);
                try
                {
                    answered = await _probe(target, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    answered = false;
                }
            }

            int missed;
            lock (_missed)
            {
                missed = answered ? 0 : _missed.GetValueOrDefault(target.Incarnation) + 1;
                _missed[target.Incarnation] = missed;
            }

            if (missed >= _options.MissedProbesToSuspect)
            {
                ProbesMissed(_logger, target.Incarnation, missed);
                await SuspectAsync(target.Incarnation, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Adds this silo's vote against <paramref name="target"/>; declares it dead when the votes suffice.</summary>
    private Task<bool> SuspectAsync(SiloIncarnation target, CancellationToken cancellationToken) =>
        RetryCasAsync($"suspect {target}", async view =>
        {
            SiloEntry? row = view.Find(target);
            if (row is null || row.Status == SiloStatus.Dead)
            {
                return true;
            }

            long now = NowMs;
            ImmutableList<Suspicion> votes = row.Suspicions
                .Where(v => now - v.AtMs < _options.SuspicionWindow.TotalMilliseconds && v.Voter != Self.Node)
                .Append(new Suspicion(Self.Node, now))
                .ToImmutableList();
            int others = view.Serving.Count(s => s.Incarnation != target);
            bool stale = now - row.AliveMs > _options.StaleAfter.TotalMilliseconds;
            int needed = stale ? 1 : Math.Max(1, Math.Min(_options.VotesToDeclareDead, others));
            bool dead = votes.Count >= needed;
            bool swapped = await _table.TryUpdateAsync(
                row with { Suspicions = votes, Status = dead ? SiloStatus.Dead : row.Status }, row.ETag, view.Version, cancellationToken).ConfigureAwait(false);
            if (swapped && dead)
            {
                DeclaredSiloDead(_logger, target, votes.Count);
            }

            return swapped;
        }, cancellationToken);

    /// <summary>Runs a compare-and-swap step against fresh reads until it reports success.</summary>
    private async Task<bool> RetryCasAsync(string what, Func<MembershipSnapshot, Task<bool>> attempt, CancellationToken cancellationToken)
    {
        for (int i = 0; i < CasAttempts; i++)
        {
            MembershipSnapshot view = await RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (await attempt(view).ConfigureAwait(false))
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            CasConflict(_logger, what, i + 1);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50 * (i + 1))), _time, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"membership change '{what}' lost {CasAttempts} compare-and-swap races in a row; the table is too contended");
    }

    /// <inheritdoc/>
    public void Dispose() => _refreshGate.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the cluster as {Self}; {Active} active silos")]
    private static partial void Joined(ILogger logger, SiloIncarnation self, int active);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership step failed (retrying next period): {Reason}")]
    private static partial void StepFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Target} missed {Missed} probes in a row: voting it dead")]
    private static partial void ProbesMissed(ILogger logger, SiloIncarnation target, int missed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declared silo {Target} dead ({Votes} votes)")]
    private static partial void DeclaredSiloDead(ILogger logger, SiloIncarnation target, int votes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership change '{What}' lost a compare-and-swap race (attempt {Attempt}); re-reading")]
    private static partial void CasConflict(ILogger logger, string what, int attempt);
}
