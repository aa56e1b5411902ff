using System.Diagnostics;
using Granary.Testing;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Granary.Orleans.Tests;

/// <summary>Silo-to-silo messaging over TLS with the cluster authority's certificates: members talk, a silo of another authority is refused.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloTlsTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task Silos_with_the_clusters_certificates_form_a_cluster_and_a_foreign_silo_is_refused()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        string elsewhere = await Database.CreateWithSchemaAsync(postgres);
        using ClusterCertificates first = await ClusterCertificates.LoadAsync(new ClusterSettings(connectionString), "first");
        using ClusterCertificates second = await ClusterCertificates.LoadAsync(new ClusterSettings(connectionString), "second");
        using ClusterCertificates foreign = await ClusterCertificates.LoadAsync(new ClusterSettings(elsewhere), "foreign");

        // One authority per cluster database, issued to every silo of it; another database has its own.
        Assert.Equal(first.Authority.Thumbprint, second.Authority.Thumbprint);
        Assert.NotEqual(first.Authority.Thumbprint, foreign.Authority.Thumbprint);
        Assert.True(first.IsMember(second.Silo));
        Assert.False(first.IsMember(foreign.Silo));

        var log = new SiloLog();
        await using OrleansTestSilo a = await OrleansTestSilo.StartAsync(connectionString, "tls", log, first);
        await using OrleansTestSilo b = await OrleansTestSilo.StartAsync(connectionString, "tls", log, second);
        await WaitUntilAsync(() => ActiveIn(a).SetEquals([a.Address, b.Address]) && ActiveIn(b).SetEquals([a.Address, b.Address]));
        Assert.Equal(1, await a.Grains.GetGrain<ICounterGrain>("over-tls").IncrementAsync());
        Assert.Equal(2, await b.Grains.GetGrain<ICounterGrain>("over-tls").IncrementAsync());

        // The foreign silo finds the cluster in the table, but no member accepts its handshake and it
        // accepts none of theirs: the members vote it dead, and it never becomes active.
        var clock = Stopwatch.StartNew();
        var fatal = new FatalErrorLog();
        Task<OrleansTestSilo> starting = OrleansTestSilo.StartAsync(connectionString, "tls", log, foreign, fatal);
        await WaitUntilAsync(() => starting.IsCompleted || fatal.Entries.Count > 0, TimeSpan.FromSeconds(60));
        output.WriteLine($"after {clock.Elapsed.TotalSeconds:0.0} s: start {starting.Status}; fatal: {string.Join(" | ", fatal.Entries)}");
        Assert.True(starting.IsFaulted || fatal.Entries.Any(e => e.Contains("dead", StringComparison.OrdinalIgnoreCase)), "the foreign silo must fail to join or be declared dead");
        Assert.True(ActiveIn(a).SetEquals([a.Address, b.Address]), "the foreign silo must never become an active member");
        Assert.Contains(log.Entries, e => e.Contains("certificate", StringComparison.OrdinalIgnoreCase) || e.Contains("TLS", StringComparison.OrdinalIgnoreCase) || e.Contains("SSL", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(2, await a.Grains.GetGrain<ICounterGrain>("over-tls").GetAsync());

        // Orleans leaves a silo told it is dead to its fatal handler (ours records); end it here.
        if (await Task.WhenAny(starting, Task.Delay(TimeSpan.FromSeconds(30))) == starting && starting.IsCompletedSuccessfully)
        {
            await (await starting).DisposeAsync();
        }
    }

    private static HashSet<SiloAddress> ActiveIn(OrleansTestSilo silo) =>
        silo.Membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToHashSet();

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < (patience ?? TimeSpan.FromSeconds(20)), "condition not met in time");
            await Task.Delay(100);
        }
    }
}
