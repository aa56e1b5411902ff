using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Grains.Tests.Silos;

/// <summary>The drain marks of <see cref="IClusterGrain"/> live in grain storage "granary": they outlive the activation and the silos.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterGrainTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly SiloLog _log = new();

    [Fact]
    public async Task Drain_marks_persist_across_a_deactivation_and_a_cluster_restart()
    {
        string database = await Cluster.CreateDatabaseAsync(postgres);
        HashSet<SiloAddress> marked;
        await using (GrainSilo a = await GrainSilo.StartClusteredAsync(database, _log))
        await using (GrainSilo b = await GrainSilo.StartClusteredAsync(database, _log))
        {
            await Cluster.WaitForActiveAsync([a, b], a, b);
            marked = [a.Address, b.Address];
            await a.Grains.ClusterGrain().DrainAsync(b.Address);
            await b.Grains.ClusterGrain().DrainAsync(a.Address);

            // Read through both silos: one call is local to the activation (its reply is copied), the other remote (serialized).
            foreach (GrainSilo reader in new[] { a, b })
            {
                Assert.Equal(marked, (await reader.Grains.ClusterGrain().DrainingAsync()).ToHashSet());
            }

            await Cluster.DeactivateAsync(a, a.Grains.ClusterGrain());
            foreach (GrainSilo reader in new[] { b, a })
            {
                Assert.Equal(marked, (await reader.Grains.ClusterGrain().DrainingAsync()).ToHashSet());
            }
        }

        // The whole cluster went away; a new silo reads the marks back from PostgreSQL.
        await using GrainSilo c = await GrainSilo.StartClusteredAsync(database, _log);
        Assert.Equal(marked, (await c.Grains.ClusterGrain().DrainingAsync()).ToHashSet());

        // The next mark drops those of incarnations the membership lists as dead.
        await Cluster.WaitUntilAsync(() => marked.All(s => c.Membership.CurrentSnapshot.GetSiloStatus(s) == SiloStatus.Dead), "the old silos listed dead");
        await c.Grains.ClusterGrain().DrainAsync(c.Address);
        Assert.Equal([c.Address], await c.Grains.ClusterGrain().DrainingAsync());
    }

    [Fact]
    public async Task A_lone_silo_keeps_drain_marks_in_its_sqlite_file_across_a_restart()
    {
        using var data = new TempDirectory();
        string grains = data.File("grains.db");
        SiloAddress first;
        await using (GrainSilo silo = await GrainSilo.StartAloneAsync(grains, _log))
        {
            first = silo.Address;
            await silo.Grains.ClusterGrain().DrainAsync(first);
            await Cluster.DeactivateAsync(silo, silo.Grains.ClusterGrain());
            Assert.Equal([first], await silo.Grains.ClusterGrain().DrainingAsync());
        }

        await using GrainSilo again = await GrainSilo.StartAloneAsync(grains, _log);
        Assert.NotEqual(first, again.Address);
        Assert.Equal([first], await again.Grains.ClusterGrain().DrainingAsync());
    }

    /// <summary>The test output gets the silos' warnings and errors.</summary>
    public void Dispose()
    {
        foreach (string entry in _log.Entries)
        {
            output.WriteLine(entry);
        }
    }
}
