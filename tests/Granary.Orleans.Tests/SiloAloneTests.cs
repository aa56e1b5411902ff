using System.Diagnostics;
using Granary.Testing;
using Microsoft.Data.Sqlite;

namespace Granary.Orleans.Tests;

/// <summary>A silo alone keeps grain state and reminders in its SQLite file across restarts, with no database server.</summary>
public sealed class SiloAloneTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private string GrainsDb => Path.Combine(_data.Path, "grains.db");

    [Fact]
    public async Task Grain_state_survives_a_restart_and_a_stale_write_is_refused()
    {
        await using (OrleansTestSilo silo = await OrleansTestSilo.StartAloneAsync(GrainsDb))
        {
            ICounterGrain counter = silo.Grains.GetGrain<ICounterGrain>("alone");
            Assert.Equal(1, await counter.IncrementAsync());
            Assert.Equal(2, await counter.IncrementAsync());
        }

        await using (OrleansTestSilo restarted = await OrleansTestSilo.StartAloneAsync(GrainsDb))
        {
            ICounterGrain counter = restarted.Grains.GetGrain<ICounterGrain>("alone");
            Assert.Equal(2, await counter.GetAsync());

            // Someone else moves the row on (another activation, as after a split): this one's next write must fail, not overwrite.
            await ExecuteAsync("UPDATE grain_state SET version = version + 1");
            await Assert.ThrowsAnyAsync<Exception>(() => counter.IncrementAsync());
        }
    }

    [Fact]
    public async Task A_reminder_survives_a_restart_and_fires_with_no_database_server()
    {
        string grain = $"alone-{Guid.NewGuid():N}";
        await using (OrleansTestSilo silo = await OrleansTestSilo.StartAloneAsync(GrainsDb))
        {
            // Due after the silo is gone: the tick can only come from the restarted silo reading it back.
            await silo.Grains.GetGrain<IReminderProbeGrain>(grain).RegisterAsync("tick", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));
        }

        Assert.Empty(ReminderLog.For(grain));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM reminders WHERE name = 'tick'"));
        await using OrleansTestSilo restarted = await OrleansTestSilo.StartAloneAsync(GrainsDb);
        var clock = Stopwatch.StartNew();
        while (ReminderLog.For(grain).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the reminder did not fire within 30 s of the restart");
            await Task.Delay(100);
        }

        Assert.Equal(restarted.Address.ToString(), ReminderLog.For(grain)[0].Silo);
        await restarted.Grains.GetGrain<IReminderProbeGrain>(grain).UnregisterAsync("tick");
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM reminders"));
    }

    public void Dispose() => _data.Dispose();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={GrainsDb}");
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={GrainsDb}");
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
