using System.Diagnostics;
using Granary.Testing;
using Xunit.Abstractions;
using Orleans.Runtime;

namespace Granary.Orleans.Tests;

/// <summary>Real Orleans silos in this process on our schema: they cluster, keep grain state and fire reminders across restarts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloClusterTests(PostgresFixture postgres, ITestOutputHelper output) : IDisposable
{
    private readonly SiloLog _log = new();

    private const int Active = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_silos_form_a_cluster_and_both_are_active_in_the_table_and_in_each_others_view()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        await using OrleansTestSilo first = await OrleansTestSilo.StartAsync(connectionString, "two", _log);
        await using OrleansTestSilo second = await OrleansTestSilo.StartAsync(connectionString, "two", _log);

        await WaitUntilAsync(async () => await Database.ScalarAsync<int>(connectionString,
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'two' AND Status = @s", ("s", Active)) == 2);
        foreach (OrleansTestSilo silo in new[] { first, second })
        {
            await WaitUntilAsync(() => Task.FromResult(ActiveIn(silo).SetEquals([first.Address, second.Address])));
        }

        // A grain call placed anywhere in the cluster answers from either silo.
        Assert.Equal(1, await first.Grains.GetGrain<ICounterGrain>("shared").IncrementAsync());
        Assert.Equal(2, await second.Grains.GetGrain<ICounterGrain>("shared").IncrementAsync());

        await second.StopAsync();
        await WaitUntilAsync(async () => await Database.ScalarAsync<int>(connectionString,
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = 'two' AND Status = 6") == 1);
    }

    [Fact]
    public async Task Grain_state_survives_deactivation_and_a_silo_restart()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        await using (OrleansTestSilo silo = await OrleansTestSilo.StartAsync(connectionString, "state", _log))
        {
            ICounterGrain counter = silo.Grains.GetGrain<ICounterGrain>("c1");
            for (int i = 1; i <= 3; i++)
            {
                Assert.Equal(i, await counter.IncrementAsync());
            }

            await counter.DeactivateAsync();
            await Task.Delay(200); // let the deactivation finish before the next call activates it again
            Assert.Equal(3, await counter.GetAsync());
            Assert.Equal(3, await Database.ScalarAsync<int>(connectionString, "SELECT Version FROM OrleansStorage"));
        }

        await using OrleansTestSilo restarted = await OrleansTestSilo.StartAsync(connectionString, "state", _log);
        ICounterGrain again = restarted.Grains.GetGrain<ICounterGrain>("c1");
        Assert.Equal(3, await again.GetAsync());
        Assert.Equal(4, await again.IncrementAsync());
        Assert.Equal(4, await Database.ScalarAsync<int>(connectionString, "SELECT Version FROM OrleansStorage"));
    }

    [Fact]
    public async Task A_reminder_survives_a_silo_restart_and_fires()
    {
        string connectionString = await Database.CreateWithSchemaAsync(postgres);
        string grain = $"probe-{Guid.NewGuid():N}";
        SiloAddress firstAddress;
        await using (OrleansTestSilo silo = await OrleansTestSilo.StartAsync(connectionString, "remind", _log))
        {
            firstAddress = silo.Address;
            // Due after the silo is gone: the tick can only come from a silo that read it back.
            await silo.Grains.GetGrain<IReminderProbeGrain>(grain).RegisterAsync("tick", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));
            Assert.Equal(1, await Database.ScalarAsync<int>(connectionString,
                "SELECT count(*) FROM OrleansRemindersTable WHERE ReminderName = 'tick' AND GrainId LIKE '%' || @g || '%'", ("g", grain)));
        }

        Assert.Empty(ReminderLog.For(grain));
        await using OrleansTestSilo restarted = await OrleansTestSilo.StartAsync(connectionString, "remind", _log);
        await WaitUntilAsync(() => Task.FromResult(ReminderLog.For(grain).Count > 0));
        ReminderTick tick = ReminderLog.For(grain)[0];
        Assert.Equal("tick", tick.Reminder);
        Assert.Equal(restarted.Address.ToString(), tick.Silo);
        Assert.NotEqual(firstAddress.ToString(), tick.Silo);

        await restarted.Grains.GetGrain<IReminderProbeGrain>(grain).UnregisterAsync("tick");
        Assert.Equal(0, await Database.ScalarAsync<int>(connectionString, "SELECT count(*) FROM OrleansRemindersTable"));
    }

    /// <summary>After each test: no warning or error came from the ADO.NET providers (clustering, storage, reminders) or the SQL they ran.</summary>
    public void Dispose()
    {
        foreach (string entry in _log.Entries)
        {
            output.WriteLine(entry);
        }

        Assert.DoesNotContain(_log.Entries, e => e.Contains("AdoNet", StringComparison.OrdinalIgnoreCase)
            || e.Contains("Npgsql", StringComparison.OrdinalIgnoreCase)
            || e.Contains("PostgresException", StringComparison.Ordinal)
            || e.Contains("InconsistentState", StringComparison.Ordinal));
    }

    private static HashSet<SiloAddress> ActiveIn(OrleansTestSilo silo) =>
        silo.Membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToHashSet();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"condition not met within {Patience.TotalSeconds} s");
            await Task.Delay(100);
        }
    }
}
