using Granary.Blobs.Protocol;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Hashing;
using Granary.Transport;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Blobs;

/// <summary>
/// The grain that owns one blob's place in the cluster (key: the hash in hex). It keeps the
/// <see cref="BlobRecord"/> and makes the replica set match placement: the top-R active silos by
/// rendezvous hash of the grain id (so this grain's owner is the first of them). Copies are made
/// by asking a target silo to fetch, verified, from a silo that holds the blob; extra copies are
/// dropped only after every placement target holds one, so a blob never falls below R on purpose.
/// </summary>
/// <remarks>
/// Methods (arguments → result), see docs/protocol.md:
/// <c>register</c> (size, created, expires, uploader, tags, holder, require) → replicas;
/// <c>locate</c> → size, created, expires, providers; <c>repair</c> → copies, wanted;
/// <c>extend</c> (ttl) → expires; <c>delete</c>; <c>subscribe</c> (observer).
/// Subscriptions live in the activation only: a subscriber re-subscribes after a view change.
/// </remarks>
public sealed partial class BlobGrain(BlobClusterOptions options, ILogger<BlobGrain> logger) : Grain
{
    /// <summary>The grain type name.</summary>
    public const string TypeName = "blob";

    private readonly List<ObserverReference> _observers = [];
    private long _copies; // running count for replica-added events while copies run in parallel
    private PersistentState<BlobRecord> _state = null!;

    /// <summary>The grain id of blob <paramref name="hash"/>.</summary>
    public static GrainId For(Blake3Hash hash) => GrainId.ForHash(TypeName, hash);

    private Blake3Hash Hash => Blake3Hash.Parse(Id.Key);

    private long NowMs => Runtime.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state = State(() => BlobRecord.Empty, r => r.Encode(), BlobRecord.Decode);
        await _state.ReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override Task<BlobMessage> InvokeAsync(string method, BlobMessage arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return method switch
        {
            "register" => RegisterAsync(arguments, cancellationToken),
            "locate" => Task.FromResult(Locate()),
            "repair" => RepairAsync(cancellationToken),
            "extend" => ExtendAsync(TimeSpan.FromSeconds(arguments.Number("ttl") ?? throw Bad("extend needs 'ttl'")), cancellationToken),
            "delete" => DeleteAsync(cancellationToken),
            "subscribe" => Task.FromResult(Subscribe(ObserverReference.Parse(arguments.Text("observer") ?? throw Bad("subscribe needs 'observer'")))),
            _ => throw new BlobProtocolException(BlobStatus.UnknownOperation, $"the blob grain has no method '{method}'"),
        };
    }

    /// <summary>
    /// A silo holds a verified, durable copy (just uploaded, or found on disk after a restart).
    /// With 'require', returns only once R silos hold it, or fails with 503.
    /// </summary>
    private async Task<BlobMessage> RegisterAsync(BlobMessage arguments, CancellationToken cancellationToken)
    {
        string holder = arguments.Text("holder") ?? throw Bad("register needs 'holder'");
        long expires = arguments.Number("expires") ?? throw Bad("register needs 'expires'");
        BlobRecord record = _state.Value;
        if (record.Deleted && record.ExpiresMs > NowMs && arguments.Number("require") != 1)
        {
            // A copy that survived a delete on a silo that was down: drop it.
            await DropAsync(holder, cancellationToken).ConfigureAwait(false);
            throw new BlobProtocolException(BlobStatus.Gone, $"blob {Hash} was deleted; the copy on {holder} is dropped");
        }

        if (!_state.Exists || record.Deleted || record.ExpiresMs <= NowMs)
        {
            record = new BlobRecord(
                arguments.Number("size") ?? throw Bad("register needs 'size'"),
                arguments.Number("created") ?? NowMs,
                expires,
                arguments.Text("uploader") ?? string.Empty,
                arguments.Text("tags") ?? string.Empty,
                []);
        }

        record = record with { ExpiresMs = Math.Max(record.ExpiresMs, expires), Replicas = [.. record.Replicas.Append(holder).Distinct()] };
        _state.Value = record;
        (int copies, int wanted) = await EnsureReplicasAsync(cancellationToken).ConfigureAwait(false);
        if (arguments.Number("require") == 1 && copies < wanted)
        {
            throw new BlobProtocolException(BlobStatus.Unavailable, $"blob {Hash} is on {copies} of the {wanted} silos it must be on; the upload is not acknowledged, retry it");
        }

        return BlobMessage.Reply(BlobStatus.Ok, null, ("replicas", Providers().Select(p => (object)p.ToString()).ToList()));
    }

    private BlobMessage Locate()
    {
        BlobRecord record = _state.Value;
        if (!_state.Exists || record.Deleted)
        {
            throw new BlobProtocolException(BlobStatus.NotFound, $"the cluster has no blob {Hash}");
        }

        if (record.ExpiresMs <= NowMs)
        {
            throw new BlobProtocolException(BlobStatus.Gone, $"blob {Hash} expired at {DateTimeOffset.FromUnixTimeMilliseconds(record.ExpiresMs):u}");
        }

        return BlobMessage.Reply(
            BlobStatus.Ok,
            null,
            ("size", record.Size), ("created", record.CreatedMs), ("expires", record.ExpiresMs), ("uploader", record.Uploader), ("tags", record.Tags),
            ("providers", Providers().Select(p => (object)p.ToString()).ToList()));
    }

    private async Task<BlobMessage> RepairAsync(CancellationToken cancellationToken)
    {
        if (!_state.Exists)
        {
            DeactivateOnIdle();
            return BlobMessage.Reply(BlobStatus.Ok, null, ("copies", 0L), ("wanted", 0L));
        }

        if (_state.Value.ExpiresMs <= NowMs)
        {
            // Every replica expires it by itself; the record goes too.
            await _state.ClearAsync(cancellationToken).ConfigureAwait(false);
            DeactivateOnIdle();
            return BlobMessage.Reply(BlobStatus.Ok, null, ("copies", 0L), ("wanted", 0L), ("expired", 1L));
        }

        if (_state.Value.Deleted)
        {
            return BlobMessage.Reply(BlobStatus.Ok, null, ("copies", 0L), ("wanted", 0L));
        }

        (int copies, int wanted) = await EnsureReplicasAsync(cancellationToken).ConfigureAwait(false);
        return BlobMessage.Reply(BlobStatus.Ok, null, ("copies", (long)copies), ("wanted", (long)wanted));
    }

    private async Task<BlobMessage> ExtendAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        Locate();
        long expires = Math.Max(_state.Value.ExpiresMs, NowMs + (long)ttl.TotalMilliseconds);
        _state.Value = _state.Value with { ExpiresMs = expires };
        await _state.WriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (SiloEntry silo in HolderEntries())
        {
            await Runtime.CallSiloAsync(silo, BlobReplicator.ServiceName, "extend", new BlobMessage([new("hash", Hash.ToArray()), new("expires", expires)]), cancellationToken).ConfigureAwait(false);
        }

        return Locate();
    }

    private async Task<BlobMessage> DeleteAsync(CancellationToken cancellationToken)
    {
        Locate();
        List<string> holders = [.. _state.Value.Replicas];

        // The tombstone first: a holder that misses the delete below drops its copy when it reports it.
        _state.Value = _state.Value with { Deleted = true, Replicas = [] };
        await _state.WriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (string holder in holders)
        {
            await DropAsync(holder, cancellationToken).ConfigureAwait(false);
        }

        return BlobMessage.Reply(BlobStatus.Ok);
    }

    private BlobMessage Subscribe(ObserverReference observer)
    {
        if (!_observers.Contains(observer))
        {
            _observers.Add(observer);
        }

        return BlobMessage.Reply(BlobStatus.Ok, null, ("copies", (long)_state.Value.Replicas.Count));
    }

    /// <summary>
    /// Makes the replica set the top-R active silos (the ideal targets): copy to each missing
    /// target from a serving holder. If a target cannot take it (unreachable, not yet declared
    /// dead), the next silos in rank stand in until R active silos hold it, so an upload is not
    /// refused for a silo that is dying. Copies elsewhere are dropped only once every ideal target
    /// holds one. Writes the record if it changed. Returns how many active silos hold the blob
    /// (at most R) and how many should.
    /// </summary>
    private async Task<(int Copies, int Wanted)> EnsureReplicasAsync(CancellationToken cancellationToken)
    {
        MembershipSnapshot view = Runtime.View;
        BlobRecord before = _state.Value;
        var holders = before.Replicas.Where(r => NodeId.TryParse(r, out NodeId node) && view.FindServing(node) is not null).ToList();
        IReadOnlyList<SiloEntry> ranked = Placement.Rank(Id.ToString(), view.Active);
        int wanted = Math.Min(options.Replicas, ranked.Count);
        List<SiloEntry> ideal = [.. ranked.Take(wanted)];
        int ActiveCopies() => ranked.Count(s => holders.Contains(s.Node.ToString()));

        // The ideal targets copy at once (each pulls from the holders); stand-ins one at a time, only as needed.
        Interlocked.Exchange(ref _copies, holders.Count);
        List<SiloEntry> missing = [.. ideal.Where(t => !holders.Contains(t.Node.ToString()))];
        bool[] copied = await Task.WhenAll(missing.Select(t => CopyToAsync(t, holders, view, cancellationToken))).ConfigureAwait(false);
        holders.AddRange(missing.Where((_, i) => copied[i]).Select(t => t.Node.ToString()));
        foreach (SiloEntry standIn in ranked.Skip(ideal.Count))
        {
            if (ActiveCopies() >= wanted)
            {
                break;
            }

            if (!holders.Contains(standIn.Node.ToString()) && await CopyToAsync(standIn, holders, view, cancellationToken).ConfigureAwait(false))
            {
                holders.Add(standIn.Node.ToString());
            }
        }

        if (ideal.Count > 0 && ideal.All(t => holders.Contains(t.Node.ToString())))
        {
            foreach (string extra in holders.Where(h => !ideal.Any(t => t.Node.ToString() == h)).ToList())
            {
                await DropAsync(extra, cancellationToken).ConfigureAwait(false);
                holders.Remove(extra);
            }
        }

        if (!holders.SequenceEqual(before.Replicas) || !_state.Exists)
        {
            _state.Value = before with { Replicas = holders };
            await _state.WriteAsync(cancellationToken).ConfigureAwait(false);
        }

        return (Math.Min(ActiveCopies(), wanted), wanted);
    }

    /// <summary>Asks <paramref name="target"/> to fetch the blob, verified, from the serving holders.</summary>
    private async Task<bool> CopyToAsync(SiloEntry target, List<string> holders, MembershipSnapshot view, CancellationToken cancellationToken)
    {
        List<SiloEntry> sources = [.. holders.Select(h => view.FindServing(NodeId.Parse(h))).OfType<SiloEntry>()];
        if (sources.Count == 0)
        {
            return false;
        }

        try
        {
            await Runtime.CallSiloAsync(target, BlobReplicator.ServiceName, "fetch", new BlobMessage(
            [
                new("hash", Hash.ToArray()), new("size", _state.Value.Size), new("expires", _state.Value.ExpiresMs),
                new("sources", sources.Select(s => (object)new SiloTicket(s.Node, s.Address).ToString()).ToList()),
            ]), cancellationToken).ConfigureAwait(false);
            CopyMade(logger, Hash, target.Incarnation);
            await NotifyAsync(new BlobMessage([new("event", "replica-added"), new("hash", Hash.ToArray()), new("node", target.Node.ToString()), new("copies", Interlocked.Increment(ref _copies))]), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (error is BlobProtocolException or QuicException or TimeoutException)
        {
            CopyFailed(logger, Hash, target.Incarnation, error.Message);
            return false;
        }
    }

    private async Task DropAsync(string holder, CancellationToken cancellationToken)
    {
        if (!NodeId.TryParse(holder, out NodeId node) || Runtime.View.FindServing(node) is not { } silo)
        {
            return;
        }

        try
        {
            await Runtime.CallSiloAsync(silo, BlobReplicator.ServiceName, "drop", new BlobMessage([new("hash", Hash.ToArray())]), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is BlobProtocolException or QuicException)
        {
            // A copy left behind is extra, never missing; the next pass or its expiry removes it.
            CopyFailed(logger, Hash, silo.Incarnation, $"drop: {error.Message}");
        }
    }

    private IEnumerable<SiloEntry> HolderEntries() =>
        _state.Value.Replicas.Select(r => NodeId.TryParse(r, out NodeId node) ? Runtime.View.FindServing(node) : null).OfType<SiloEntry>();

    private IEnumerable<SiloTicket> Providers() => HolderEntries().Select(s => new SiloTicket(s.Node, s.Address));

    private async Task NotifyAsync(BlobMessage notification, CancellationToken cancellationToken)
    {
        // Copies to several targets run at once within one turn, so they may notify concurrently.
        List<ObserverReference> observers;
        lock (_observers)
        {
            observers = [.. _observers];
        }

        foreach (ObserverReference observer in observers)
        {
            if (!await Runtime.NotifyAsync(observer, notification, cancellationToken).ConfigureAwait(false))
            {
                lock (_observers)
                {
                    _observers.Remove(observer);
                }
            }
        }
    }

    private static BlobProtocolException Bad(string message) => new(BlobStatus.BadRequest, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob {Hash}: copy made on {Silo}")]
    private static partial void CopyMade(ILogger logger, Blake3Hash hash, SiloIncarnation silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Hash}: copy on {Silo} failed: {Reason}")]
    private static partial void CopyFailed(ILogger logger, Blake3Hash hash, SiloIncarnation silo, string reason);
}
