using Granary.Blobs.Protocol;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Grains.Storage;
using Granary.Testing;

namespace Granary.Grains.Tests;

/// <summary>The grain runtime across several silos (each its own QUIC endpoint and key) on real PostgreSQL.</summary>
public sealed class RuntimeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly BlobMessage NoArguments = new([]);

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Every_silo_agrees_on_placement_and_calls_from_all_of_them_meet_one_activation(int silos)
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, silos);
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == silos), "every silo sees every other");

            // Placement agrees: each silo computes the same owner for every grain.
            var grains = Enumerable.Range(0, 50).Select(i => new GrainId(CounterGrain.TypeName, $"g{i}")).ToList();
            foreach (GrainId grain in grains)
            {
                Assert.Single(cluster.Select(s => Placement.Owner(grain, s.Runtime.View)!.Incarnation).Distinct());
            }

            // And spreads: with 50 grains every silo owns some.
            Assert.All(cluster, s => Assert.Contains(grains, g => Placement.Owner(g, s.Runtime.View)!.Incarnation == s.Runtime.Self));

            // 25 concurrent calls per silo to a handful of grains: every increment lands, in one activation each.
            const int callsPerSilo = 25;
            var targets = grains.Take(4).ToList();
            var replies = await Task.WhenAll(cluster.SelectMany(s => Enumerable.Range(0, callsPerSilo).Select(i =>
                s.Runtime.CallAsync(targets[i % targets.Count], "add", NoArguments))));
            for (int t = 0; t < targets.Count; t++)
            {
                GrainId grain = targets[t];
                int expected = silos * Enumerable.Range(0, callsPerSilo).Count(i => i % targets.Count == t);
                SiloIncarnation owner = Placement.Owner(grain, cluster[0].Runtime.View)!.Incarnation;
                var count = await cluster[^1].Runtime.CallAsync(grain, "get", NoArguments);
                Assert.Equal(expected, count.Number("count"));
                Assert.Equal(owner.ToString(), count.Text("silo")); // it ran on the owner
            }

            // Each call ran on its grain's owner, never elsewhere.
            Assert.All(replies, r => Assert.Contains(cluster, s => s.Runtime.Self.ToString() == r.Text("silo")));
            Assert.Equal(targets.Count, cluster.Sum(s => s.Runtime.ActivationCount));
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    [Fact]
    public async Task A_crashed_silo_is_declared_dead_and_its_grains_continue_elsewhere_with_their_state()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, 3);
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 3), "3 active");
            RuntimeSilo victim = cluster[2];
            var grain = Enumerable.Range(0, 100).Select(i => new GrainId(CounterGrain.TypeName, $"c{i}"))
                .First(g => Placement.Owner(g, cluster[0].Runtime.View)!.Incarnation == victim.Runtime.Self);
            for (int i = 0; i < 5; i++)
            {
                await cluster[0].Runtime.CallAsync(grain, "add", NoArguments);
            }

            var detect = System.Diagnostics.Stopwatch.StartNew();
            await victim.CrashAsync();
            await WaitForAsync(() => cluster.Take(2).All(s => s.Runtime.View.Active.Count == 2), "the crashed silo is declared dead", TimeSpan.FromSeconds(20));
            detect.Stop();
            Assert.Equal(SiloStatus.Dead, cluster[0].Runtime.View.Find(victim.Runtime.Self)!.Status);
            Assert.True(detect.Elapsed < TimeSpan.FromSeconds(10), $"death took {detect.Elapsed}");

            // The grain moved with its state: the next call continues the count.
            var reply = await cluster[1].Runtime.CallAsync(grain, "add", NoArguments);
            Assert.Equal(6, reply.Number("count"));
            Assert.NotEqual(victim.Runtime.Self.ToString(), reply.Text("silo"));
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    [Fact]
    public async Task A_silo_declared_dead_stops_and_its_stale_activation_cannot_commit()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, 2);
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 2), "2 active");
            RuntimeSilo stale = cluster[1];
            var grain = Enumerable.Range(0, 100).Select(i => new GrainId(CounterGrain.TypeName, $"s{i}"))
                .First(g => Placement.Owner(g, stale.Runtime.View)!.Incarnation == stale.Runtime.Self);
            await stale.Runtime.CallAsync(grain, "add", NoArguments);
            long versionBefore = (await new GrainStateStore(stale.Database).ReadAsync(grain, CancellationToken.None)).Version;

            // The other silo declares it dead (as its votes would), while the stale one still has the activation.
            Assert.True(await cluster[0].Runtime.Membership.TrySetStatusAsync(stale.Runtime.Self, SiloStatus.Dead, CancellationToken.None));

            // Whatever the stale silo believes about its view, its write is fenced off in the database.
            var error = await Assert.ThrowsAnyAsync<Exception>(() => stale.Runtime.InvokeLocalAsync(grain, "add", NoArguments, CancellationToken.None));
            Assert.True(error is BlobProtocolException { Status: RpcStatus.Unavailable } || error.GetType().Name == "NotOwnerException", error.ToString());
            Assert.Equal(versionBefore, (await new GrainStateStore(stale.Database).ReadAsync(grain, CancellationToken.None)).Version);

            // And it finds out and stops.
            await Assert.ThrowsAsync<SiloDeclaredDeadException>(() => stale.Running.WaitAsync(TimeSpan.FromSeconds(10)));

            // The survivor owns the grain now and continues from the committed count.
            var reply = await cluster[0].Runtime.CallAsync(grain, "add", NoArguments);
            Assert.Equal(2, reply.Number("count"));
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    [Fact]
    public async Task A_joining_silo_takes_over_its_grains_without_losing_an_increment()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, 2);
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 2), "2 active");
            var grains = Enumerable.Range(0, 12).Select(i => new GrainId(CounterGrain.TypeName, $"j{i}")).ToList();
            using var stop = new CancellationTokenSource();
            long done = 0;
            var load = Task.Run(async () =>
            {
                int i = 0;
                while (!stop.IsCancellationRequested)
                {
                    await cluster[i % 2].Runtime.CallAsync(grains[i % grains.Count], "add", NoArguments);
                    Interlocked.Increment(ref done);
                    i++;
                }
            });

            await Task.Delay(500);
            cluster.Add(await RuntimeSilo.StartAsync(() => ClusterDatabase.Postgres(connection)));
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 3), "3 active");
            await Task.Delay(1000);
            await stop.CancelAsync();
            await load;

            long total = 0;
            foreach (GrainId grain in grains)
            {
                total += (await cluster[2].Runtime.CallAsync(grain, "get", NoArguments)).Number("count") ?? 0;
            }

            Assert.Equal(Interlocked.Read(ref done), total);
            Assert.Contains(grains, g => Placement.Owner(g, cluster[0].Runtime.View)!.Incarnation == cluster[2].Runtime.Self);
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    [Fact]
    public async Task Timers_tick_as_turns_and_observers_on_another_silo_receive_them()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, 2);
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 2), "2 active");
            RuntimeSilo listener = cluster[1];
            var grain = Enumerable.Range(0, 100).Select(i => new GrainId(TickerGrain.TypeName, $"t{i}"))
                .First(g => Placement.Owner(g, listener.Runtime.View)!.Incarnation != listener.Runtime.Self);
            var ticks = new System.Collections.Concurrent.ConcurrentQueue<long>();
            using ObserverRegistration observer = listener.Runtime.CreateObserver((message, _) =>
            {
                ticks.Enqueue(message.Number("tick") ?? -1);
                return Task.CompletedTask;
            });
            await listener.Runtime.CallAsync(grain, "subscribe", new BlobMessage([new("observer", observer.Reference.ToString())]));
            await WaitForAsync(() => ticks.Count >= 5, "five ticks delivered across silos");
            long[] seen = [.. ticks];
            Assert.Equal(seen.OrderBy(t => t), seen); // in order
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    [Fact]
    public async Task Cancelling_a_remote_call_cancels_it_on_the_owner_and_timeouts_are_reported()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        var cluster = await StartAsync(connection, 2, new GrainRuntimeOptions { CallTimeout = TimeSpan.FromSeconds(2) });
        try
        {
            await WaitForAsync(() => cluster.All(s => s.Runtime.View.Active.Count == 2), "2 active");
            var grain = Enumerable.Range(0, 100).Select(i => new GrainId(CounterGrain.TypeName, $"x{i}"))
                .First(g => Placement.Owner(g, cluster[0].Runtime.View)!.Incarnation == cluster[1].Runtime.Self);
            using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cluster[0].Runtime.CallAsync(grain, "slow", new BlobMessage([new("seconds", 30L)]), cancellationToken: cancel.Token));
            }

            // The owner's turn was cancelled too: the activation is free again at once.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            await cluster[0].Runtime.CallAsync(grain, "get", NoArguments);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1.5), $"the grain stayed busy for {sw.Elapsed}");

            var timeout = await Assert.ThrowsAsync<TimeoutException>(() => cluster[0].Runtime.CallAsync(grain, "slow", new BlobMessage([new("seconds", 30L)])));
            Assert.Contains("2 s", timeout.Message, StringComparison.Ordinal);
        }
        finally
        {
            await DisposeAllAsync(cluster);
        }
    }

    private static async Task<List<RuntimeSilo>> StartAsync(string connection, int count, GrainRuntimeOptions? options = null)
    {
        var silos = new List<RuntimeSilo>();
        for (int i = 0; i < count; i++)
        {
            silos.Add(await RuntimeSilo.StartAsync(() => ClusterDatabase.Postgres(connection), options: options));
        }

        return silos;
    }

    private static async Task DisposeAllAsync(List<RuntimeSilo> silos)
    {
        foreach (RuntimeSilo silo in silos)
        {
            await silo.DisposeAsync();
        }
    }

    internal static async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(50);
        }
    }
}
