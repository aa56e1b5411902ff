using Granary.Blobs.Protocol;
using Granary.Grains.Placement;
using Granary.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Xunit.Abstractions;

namespace Granary.Grains.Tests.Silos;

/// <summary><see cref="SiloKeyedPlacementDirector"/> in a real two-silo cluster: a grain runs on the silo its key names, or the call fails.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PlacementTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly SiloLog _log = new();

    [Fact]
    public async Task A_silo_keyed_grain_runs_on_the_silo_its_key_names()
    {
        string database = await Cluster.CreateDatabaseAsync(postgres);
        await using GrainSilo a = await GrainSilo.StartClusteredAsync(database, _log);
        await using GrainSilo b = await GrainSilo.StartClusteredAsync(database, _log);
        await Cluster.WaitForActiveAsync([a, b], a, b);

        foreach (GrainSilo caller in new[] { a, b })
        {
            foreach (GrainSilo named in new[] { b, a })
            {
                SiloAddress host = await caller.Grains.GetGrain<IPlacementProbeGrain>(named.Address.ToParsableString()).HostAsync();
                Assert.Equal(named.Address, host);
            }
        }

        // And the real per-silo grain is under this director: its grain type resolves to SiloKeyedPlacement.
        GrainType replica = ((GrainReference)a.Grains.ReplicaGrain(b.Address)).GrainId.Type;
        Assert.IsType<SiloKeyedPlacement>(a.Services.GetRequiredService<PlacementStrategyResolver>().GetPlacementStrategy(replica));
    }

    [Fact]
    public async Task A_silo_keyed_grain_naming_a_silo_that_is_not_a_member_fails_the_call_with_503()
    {
        string database = await Cluster.CreateDatabaseAsync(postgres);
        await using GrainSilo a = await GrainSilo.StartClusteredAsync(database, _log);
        await using GrainSilo b = await GrainSilo.StartClusteredAsync(database, _log);
        await Cluster.WaitForActiveAsync([a, b], a, b);
        SiloAddress gone = b.Address;
        await b.StopAsync();
        await Cluster.WaitForActiveAsync([a], a);

        // A silo that left, and one that never was.
        foreach (SiloAddress absent in new[] { gone, SiloAddress.New(System.Net.IPAddress.Loopback, 1, 1) })
        {
            Exception error = await Record.ExceptionAsync(() => a.Grains.GetGrain<IPlacementProbeGrain>(absent.ToParsableString()).HostAsync());
            output.WriteLine($"{absent}: {error?.GetType().FullName}: {error?.Message}");
            BlobGrainException refused = Assert.IsType<BlobGrainException>(error);
            Assert.Equal(BlobStatus.Unavailable, refused.Status);
            Assert.Contains(absent.ToString(), refused.Message, StringComparison.Ordinal);
        }

        // A key that names no silo at all (only a programming error makes one): Orleans' parse error reaches the caller.
        FormatException malformed = await Assert.ThrowsAsync<FormatException>(() => a.Grains.GetGrain<IPlacementProbeGrain>("not-a-silo").HostAsync());
        Assert.Contains("not-a-silo", malformed.Message, StringComparison.Ordinal);
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
