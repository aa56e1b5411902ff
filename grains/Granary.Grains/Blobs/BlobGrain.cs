using Granary.Blobs.Protocol;
using Granary.Grains.Cluster;
using Granary.Grains.Hosting;
using Granary.Grains.Placement;
using Granary.Hashing;
using Granary.Transport;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace Granary.Grains.Blobs;

/// <summary>
/// <see cref="IBlobGrain"/>: keeps one blob's <see cref="BlobRecord"/> and makes its replica set
/// match placement — the top-R placement targets by rendezvous hash (<see cref="Rendezvous"/>).
/// Copies are made by asking a target silo's <see cref="IReplicaGrain"/> to fetch, verified, from
/// a silo that holds the blob; extra copies are dropped only after every placement target holds
/// one, so a blob never falls below R on purpose.
/// </summary>
/// <remarks>
/// Placed on the silo that first calls it (usually the one receiving the upload), so an upload
/// costs no extra hop and a grain dies only with a silo that was already part of the transfer.
/// </remarks>
[PreferLocalPlacement]
public sealed partial class BlobGrain(
    [PersistentState("blob", GrainStorage.Name)] IPersistentState<BlobRecord> state,
    ClusterView view,
    BlobClusterOptions options,
    TimeProvider time,
    ILogger<BlobGrain> logger) : Grain, IBlobGrain
{
    private Blake3Hash Hash => Blake3Hash.Parse(this.GetPrimaryKeyString());

    private DateTimeOffset Now => time.GetUtcNow();

    private BlobRecord Record => state.State;

    /// <inheritdoc/>
    public async Task<BlobRegistered> RegisterAsync(BlobRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        string holder = registration.Holder.ToString();
        if (Record.Deleted && Record.Expires > Now && !registration.RequireReplicas)
        {
            // A copy that survived a delete on a silo that was away: drop it.
            await DropAsync(holder).ConfigureAwait(true);
            throw new BlobGrainException(BlobStatus.Gone, $"blob {Hash} was deleted; the copy on {holder} is dropped");
        }

        bool changed = false;
        if (!state.RecordExists || Record.Deleted || Record.Expires <= Now)
        {
            if (registration.Facts.Expires <= Now)
            {
                // A copy that expired where it is and has no live record: expired everywhere.
                throw new BlobGrainException(BlobStatus.Gone, $"blob {Hash} expired at {registration.Facts.Expires:u}");
            }

            BlobFacts facts = registration.Facts;
            state.State = new BlobRecord { Size = facts.Size, Created = facts.Created, Expires = facts.Expires, Uploader = facts.Uploader, Tags = facts.Tags };
            changed = true;
        }

        if (registration.Facts.Expires > Record.Expires)
        {
            Record.Expires = registration.Facts.Expires;
            changed = true;
        }

        if (!Record.Replicas.Contains(holder))
        {
            Record.Replicas.Add(holder);
            changed = true;
        }

        // A holder re-reporting a copy the record already has (the periodic reconciliation) costs no write.
        RepairOutcome outcome = await EnsureReplicasAsync(forceWrite: changed, registration.Content).ConfigureAwait(true);
        if (registration.RequireReplicas && outcome.ShortOfReplicas)
        {
            throw new BlobGrainException(BlobStatus.Unavailable, $"blob {Hash} is on {outcome.Copies} of the {outcome.Wanted} silos it must be on; the upload is not acknowledged, retry it");
        }

        return new BlobRegistered([.. Providers()], Record.Facts);
    }

    /// <inheritdoc/>
    public Task<BlobLocation?> LocateAsync()
    {
        if (!Live())
        {
            return Task.FromResult<BlobLocation?>(null);
        }

        return Task.FromResult<BlobLocation?>(new BlobLocation(Record.Facts, [.. Providers()]));
    }

    /// <inheritdoc/>
    public async Task<RepairOutcome> RepairAsync()
    {
        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            return new RepairOutcome(0, 0);
        }

        if (Record.Expires <= Now)
        {
            // Every holder sweeps its own copy at expiry; the record goes too.
            await state.ClearStateAsync().ConfigureAwait(true);
            DeactivateOnIdle();
            return new RepairOutcome(0, 0);
        }

        if (Record.Deleted)
        {
            return new RepairOutcome(0, 0);
        }

        // A recorded holder may have lost its copy (its store was wiped and it rejoined with the same
        // node key): ask each one, so repair does not count a copy that is not there.
        List<string> recorded = [.. Record.Replicas];
        bool[] present = await Task.WhenAll(recorded.Select(HoldsAsync)).ConfigureAwait(true);
        bool verifiedAll = present.All(p => p);
        if (!verifiedAll)
        {
            Record.Replicas = [.. recorded.Where((_, i) => present[i])];
        }

        return await EnsureReplicasAsync(forceWrite: !verifiedAll).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<BlobLocation?> ExtendAsync(TimeSpan ttl)
    {
        if (!Live())
        {
            return null;
        }

        DateTimeOffset expires = Now + ttl;
        if (expires > Record.Expires)
        {
            Record.Expires = expires;
            await WriteAsync().ConfigureAwait(true);
        }

        // The record is the truth; a holder that misses this adopts it when it next registers.
        await Task.WhenAll(HolderSilos().Select(s => TryAsync(s, "extend", () => GrainFactory.ReplicaGrain(s.Address).ExtendAsync(Hash, Record.Expires)))).ConfigureAwait(true);
        return new BlobLocation(Record.Facts, [.. Providers()]);
    }

    /// <inheritdoc/>
    public async Task<bool> DeleteAsync()
    {
        if (!Live())
        {
            return false;
        }

        List<string> holders = [.. Record.Replicas];

        // The tombstone first: a holder that misses the drop below drops its copy when it reports it.
        Record.Deleted = true;
        Record.Replicas = [];
        await WriteAsync().ConfigureAwait(true);
        await Task.WhenAll(holders.Select(DropAsync)).ConfigureAwait(true);
        return true;
    }

    /// <summary>
    /// Writes the record; if the write fails (database unreachable, a newer ETag) the activation
    /// is dropped, so the next call reloads the stored record instead of acting on a change that
    /// was never stored.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync().ConfigureAwait(true);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>True if the blob has a record that is not a tombstone; throws 410 if it expired.</summary>
    private bool Live()
    {
        if (!state.RecordExists || Record.Deleted)
        {
            return false;
        }

        return Record.Expires > Now
            ? true
            : throw new BlobGrainException(BlobStatus.Gone, $"blob {Hash} expired at {Record.Expires:u}");
    }

    /// <summary>
    /// Makes the replica set the top-R placement targets (the ideal targets): copy to each missing
    /// target from a serving holder. If a target cannot take it (unreachable, not yet declared
    /// dead), the next silos in rank stand in until R active silos hold it, so an upload is not
    /// refused for a silo that is dying. Copies elsewhere are dropped only once every ideal target
    /// holds one. Writes the record if it changed. With <paramref name="content"/> (a small blob
    /// being uploaded) the copies carry its bytes instead of fetching them.
    /// </summary>
    private async Task<RepairOutcome> EnsureReplicasAsync(bool forceWrite, byte[]? content = null)
    {
        List<string> before = [.. Record.Replicas];
        var holders = before.Where(r => NodeId.TryParse(r, out NodeId node) && view.FindServing(node) is not null).ToList();
        IReadOnlyList<ClusterSilo> ranked = Rendezvous.Rank(Rendezvous.BlobKey(Hash), view.PlacementTargets);
        int wanted = Math.Min(options.Replicas, ranked.Count);
        List<ClusterSilo> ideal = [.. ranked.Take(wanted)];
        int ActiveCopies() => ranked.Count(s => holders.Contains(s.Ticket.Node.ToString()));

        // The ideal targets copy at once (each pulls from the holders); stand-ins one at a time, only as needed.
        List<ClusterSilo> missing = [.. ideal.Where(t => !holders.Contains(t.Ticket.Node.ToString()))];
        bool[] copied = await Task.WhenAll(missing.Select(t => CopyToAsync(t, holders, content))).ConfigureAwait(true);
        holders.AddRange(missing.Where((_, i) => copied[i]).Select(t => t.Ticket.Node.ToString()));
        foreach (ClusterSilo standIn in ranked.Skip(ideal.Count))
        {
            if (ActiveCopies() >= wanted)
            {
                break;
            }

            if (!holders.Contains(standIn.Ticket.Node.ToString()) && await CopyToAsync(standIn, holders, content).ConfigureAwait(true))
            {
                holders.Add(standIn.Ticket.Node.ToString());
            }
        }

        if (ideal.Count > 0 && ideal.All(t => holders.Contains(t.Ticket.Node.ToString())))
        {
            foreach (string extra in holders.Where(h => !ideal.Any(t => t.Ticket.Node.ToString() == h)).ToList())
            {
                await DropAsync(extra).ConfigureAwait(true);
                holders.Remove(extra);
            }
        }

        if (forceWrite || !holders.SequenceEqual(before))
        {
            Record.Replicas = holders;
            await WriteAsync().ConfigureAwait(true);
        }

        return new RepairOutcome(Math.Min(ActiveCopies(), wanted), wanted);
    }

    /// <summary>Asks <paramref name="target"/> to fetch the blob, verified, from the serving holders (or to store <paramref name="content"/>, verified).</summary>
    private async Task<bool> CopyToAsync(ClusterSilo target, List<string> holders, byte[]? content)
    {
        List<SiloTicket> sources = [.. holders.Select(h => NodeId.TryParse(h, out NodeId node) ? view.FindServing(node) : null).OfType<ClusterSilo>().Select(s => s.Ticket)];
        if (sources.Count == 0)
        {
            return false;
        }

        bool copied = await TryAsync(target, "copy", () => GrainFactory.ReplicaGrain(target.Address).FetchAsync(new ReplicaFetch(Hash, Record.Facts, sources, content))).ConfigureAwait(true);
        if (copied)
        {
            CopyMade(logger, Hash, target.Address);
        }

        return copied;
    }

    /// <summary>True if <paramref name="holder"/> serves and holds the blob; a holder that cannot be asked counts as holding it (it may be busy, not empty).</summary>
    private async Task<bool> HoldsAsync(string holder)
    {
        if (!NodeId.TryParse(holder, out NodeId node) || view.FindServing(node) is not { } silo)
        {
            return true; // not serving: EnsureReplicas already leaves it out of the copies it counts
        }

        try
        {
            return await GrainFactory.ReplicaGrain(silo.Address).HasAsync(Hash).ConfigureAwait(true);
        }
#pragma warning disable CA1031 // Unknown is not "missing": only a silo that answers "no" loses its place in the record.
        catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
        {
            CallFailed(logger, Hash, "check", silo.Address, error.Message);
            return true;
        }
    }

    private async Task DropAsync(string holder)
    {
        if (NodeId.TryParse(holder, out NodeId node) && view.FindServing(node) is { } silo)
        {
            // A copy left behind is extra, never missing; the next pass or its expiry removes it.
            await TryAsync(silo, "drop", () => GrainFactory.ReplicaGrain(silo.Address).DropAsync(Hash)).ConfigureAwait(true);
        }
    }

    /// <summary>Runs a call to another silo's replica grain; a failure is logged and returns false (that silo may be dying).</summary>
    private async Task<bool> TryAsync(ClusterSilo silo, string what, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(true);
            return true;
        }
#pragma warning disable CA1031 // Any failure of one silo (gone, timed out, refused) means "not on that silo"; the caller counts copies.
        catch (Exception error) when (error is not OperationCanceledException)
#pragma warning restore CA1031
        {
            CallFailed(logger, Hash, what, silo.Address, error.Message);
            return false;
        }
    }

    private IEnumerable<ClusterSilo> HolderSilos() =>
        Record.Replicas.Select(r => NodeId.TryParse(r, out NodeId node) ? view.FindServing(node) : null).OfType<ClusterSilo>();

    private IEnumerable<SiloTicket> Providers() => HolderSilos().Select(s => s.Ticket);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob {Hash}: copy made on {Silo}")]
    private static partial void CopyMade(ILogger logger, Blake3Hash hash, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Blob {Hash}: {What} on {Silo} failed: {Reason}")]
    private static partial void CallFailed(ILogger logger, Blake3Hash hash, string what, SiloAddress silo, string reason);
}
