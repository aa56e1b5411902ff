using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Granary.Blobs.Client;
using Granary.Testing;
using Xunit.Abstractions;

namespace Granary.Cluster.Tests;

/// <summary>What an operator relies on: Orleans' own dashboard, and how fast a dead silo is noticed.</summary>
public sealed class OperatorToolTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task The_orleans_dashboard_answers_and_lists_every_silo_of_the_cluster()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 2);
        int port = FreeTcpPort();
        SiloProcess watched = await cluster.AddSiloAsync(extraArguments: ["--dashboard", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

        string page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<title>Orleans Dashboard</title>", page, StringComparison.Ordinal);

        // Its counters name each silo by its Orleans name, which is the silo's QUIC ticket.
        await cluster.WaitForAsync(async () =>
        {
            string counters = await http.GetStringAsync(new Uri("/DashboardCounters", UriKind.Relative));
            return cluster.Silos.All(s => counters.Contains(s.Ticket.ToString(), StringComparison.Ordinal));
        }, "the dashboard lists all three silos", TimeSpan.FromSeconds(30));
        Assert.Contains(watched.Ticket.ToString(), await http.GetStringAsync(new Uri("/DashboardCounters", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_silo_is_declared_dead_within_two_seconds()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 3);
        SiloProcess victim = cluster.Silos[2];
        var clock = Stopwatch.StartNew();
        victim.Kill();
        while (!await cluster.DeclaredDeadAsync(victim))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the killed silo was not declared dead within 30 s");
            await Task.Delay(100);
        }

        output.WriteLine($"kill -9 declared dead after {clock.Elapsed.TotalMilliseconds:0} ms");
        await using BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]);
        Assert.Equal("Dead", (await client.ClusterStatusAsync()).Silos.Single(s => s.Node == victim.Ticket.Node.ToString()).Status);
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(2), $"declared dead after {clock.Elapsed.TotalSeconds:0.0} s; the bound is 2 s (ProbeTimeout 1 s, 2 missed probes)");
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
