using System.Net;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Grains.Storage;
using Granary.Testing;
using Granary.Transport;

namespace Granary.Grains.Tests;

/// <summary>The membership table and grain state store on real PostgreSQL, under concurrent writers.</summary>
public sealed class MembershipTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Concurrent_compare_and_swap_writers_each_win_exactly_once_per_version()
    {
        await using var database = ClusterDatabase.Postgres(await postgres.Server.CreateDatabaseAsync());
        await database.EnsureSchemaAsync(CancellationToken.None);
        var table = new MembershipTable(database);

        // 8 writers, each inserting its own row by CAS, retrying on a fresh read when it loses.
        int lost = 0;
        var nodes = Enumerable.Range(0, 8).Select(_ => NodeIdentity.CreateEphemeral()).ToList();
        await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
        {
            var entry = new SiloEntry(new SiloIncarnation(node.Id, 1), new IPEndPoint(IPAddress.Loopback, 1), SiloStatus.Active, [], 0, 0, 0);
            while (true)
            {
                MembershipSnapshot view = await table.ReadAsync(CancellationToken.None);
                if (await table.TryInsertAsync(entry, view.Version, CancellationToken.None))
                {
                    return;
                }

                Interlocked.Increment(ref lost);
            }
        })));

        MembershipSnapshot after = await table.ReadAsync(CancellationToken.None);
        Assert.Equal(8, after.Silos.Count);
        Assert.Equal(8, after.Version); // one version step per successful swap, none for the losers
        Assert.All(after.Silos, s => Assert.Equal(1, s.ETag));

        // Two updates of one row from the same read: exactly one wins, and the row's ETag moved once.
        SiloEntry row = after.Silos[0];
        bool[] results = await Task.WhenAll(
            table.TryUpdateAsync(row with { Status = SiloStatus.ShuttingDown }, row.ETag, after.Version, CancellationToken.None),
            table.TryUpdateAsync(row with { Status = SiloStatus.Dead }, row.ETag, after.Version, CancellationToken.None));
        Assert.Equal(1, results.Count(r => r));
        MembershipSnapshot final = await table.ReadAsync(CancellationToken.None);
        Assert.Equal(9, final.Version);
        Assert.Equal(2, final.Find(row.Incarnation)!.ETag);

        // Heartbeats do not move the version (they never conflict with membership changes).
        await table.HeartbeatAsync(row.Incarnation, 12345, CancellationToken.None);
        MembershipSnapshot beat = await table.ReadAsync(CancellationToken.None);
        Assert.Equal(9, beat.Version);
        Assert.Equal(12345, beat.Find(row.Incarnation)!.AliveMs);
        foreach (NodeIdentity node in nodes)
        {
            node.Dispose();
        }
    }

    [Fact]
    public async Task State_writes_are_versioned_and_fenced_by_membership()
    {
        await using var database = ClusterDatabase.Postgres(await postgres.Server.CreateDatabaseAsync());
        await database.EnsureSchemaAsync(CancellationToken.None);
        var table = new MembershipTable(database);
        var store = new GrainStateStore(database);
        using var identity = NodeIdentity.CreateEphemeral();
        var writer = new SiloIncarnation(identity.Id, 7);
        Assert.True(await table.TryInsertAsync(new SiloEntry(writer, new IPEndPoint(IPAddress.Loopback, 1), SiloStatus.Active, [], 0, 0, 0), 0, CancellationToken.None));
        var grain = new GrainId("test", "a");

        Assert.Equal(1, await store.WriteAsync(grain, [1], 0, writer, CancellationToken.None));

        // Ten writers that all read version 1: exactly one commits.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.WriteAsync(grain, [(byte)i], 1, writer, CancellationToken.None);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        })));
        Assert.Equal(1, outcomes.Count(o => o));
        StoredState stored = await store.ReadAsync(grain, CancellationToken.None);
        Assert.Equal(2, stored.Version);

        // A second first-write (version 0) loses to the existing row.
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(grain, [9], 0, writer, CancellationToken.None));

        // Once the writer is declared dead its writes are refused even with the right version.
        MembershipSnapshot view = await table.ReadAsync(CancellationToken.None);
        SiloEntry row = view.Find(writer)!;
        Assert.True(await table.TryUpdateAsync(row with { Status = SiloStatus.Dead }, row.ETag, view.Version, CancellationToken.None));
        var fenced = await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync(grain, [42], 2, writer, CancellationToken.None));
        Assert.Contains("not an active member", fenced.Message, StringComparison.Ordinal);
        Assert.Equal(stored.Payload, (await store.ReadAsync(grain, CancellationToken.None)).Payload);
    }

    [Fact]
    public async Task The_sqlite_default_keeps_the_same_guarantees_for_a_single_silo()
    {
        using var directory = new Granary.Testing.TempDirectory();
        await using var silo = await RuntimeSilo.StartAsync(() => ClusterDatabase.Sqlite(directory.File("cluster.db")));
        for (int i = 0; i < 20; i++)
        {
            await silo.Runtime.CallAsync(new GrainId(CounterGrain.TypeName, "solo"), "add", new(Array.Empty<KeyValuePair<string, object>>()));
        }

        var reply = await silo.Runtime.CallAsync(new GrainId(CounterGrain.TypeName, "solo"), "get", new(Array.Empty<KeyValuePair<string, object>>()));
        Assert.Equal(20, reply.Number("count"));
        Assert.Single(silo.Runtime.View.Active);
    }
}
