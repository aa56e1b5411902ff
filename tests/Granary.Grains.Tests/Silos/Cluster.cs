using System.Diagnostics;
using Granary.Orleans;
using Granary.Testing;

namespace Granary.Grains.Tests.Silos;

/// <summary>Waiting on silos, and a fresh database with Granary's schema.</summary>
internal static class Cluster
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static async Task<string> CreateDatabaseAsync(PostgresFixture postgres)
    {
        string connectionString = await postgres.Server.CreateDatabaseAsync();
        await new OrleansSchema().ApplyAsync(connectionString);
        return connectionString;
    }

    /// <summary>
    /// Until every silo in <paramref name="silos"/> sees exactly <paramref name="active"/> as its active
    /// members and holds their grain manifests. Orleans learns a joining silo's manifest (which grain
    /// types it hosts) after the membership says it is active; until then placement does not count it
    /// as a compatible silo, and <see cref="Placement.SiloKeyedPlacementDirector"/> refuses it as absent.
    /// </summary>
    public static Task WaitForActiveAsync(IReadOnlyList<GrainSilo> silos, params GrainSilo[] active)
    {
        HashSet<SiloAddress> wanted = [.. active.Select(s => s.Address)];
        return WaitUntilAsync(() => silos.All(silo => silo.Membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress)
                .ToHashSet()
                .SetEquals(wanted)
            && wanted.All(silo.Manifest.Current.Silos.ContainsKey)), $"active members with manifests {string.Join(", ", wanted)}");
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Deactivates <paramref name="grain"/> wherever it runs and waits until no activation is left.</summary>
    public static async Task DeactivateAsync(GrainSilo through, IGrain grain)
    {
        IManagementGrain management = through.Grains.GetGrain<IManagementGrain>(0);
        var reference = (GrainReference)grain;
        Assert.Equal(1, await management.GetGrainActivationCount(reference));
        await management.ForceActivationCollection(TimeSpan.Zero);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await management.GetGrainActivationCount(reference) != 0)
        {
            Assert.True(clock.Elapsed < Cluster.Patience, "the activation was not collected");
            await Task.Delay(50);
        }
    }
}
