using System.Diagnostics;
using System.Net;
using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
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
        int port = FreePorts.Tcp();
        SiloProcess watched = await cluster.AddSiloAsync(extraArguments: ["--dashboard", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

        string page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<title>Orleans Dashboard</title>", page, StringComparison.Ordinal);

        // Its counters name each silo by its Orleans name, which is the silo's QUIC ticket.
        await cluster.WaitForAsync(async () =>
        {
            // The counters come from the dashboard's grain, which answers 500 until it has its first sample.
            using HttpResponseMessage response = await http.GetAsync(new Uri("/DashboardCounters", UriKind.Relative));
            string counters = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && cluster.Silos.All(s => counters.Contains(s.Ticket.ToString(), StringComparison.Ordinal));
        }, "the dashboard lists all three silos", TimeSpan.FromSeconds(30));
        Assert.Contains(watched.Ticket.ToString(), await http.GetStringAsync(new Uri("/DashboardCounters", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_is_healthy_while_a_silo_serves_and_unhealthy_once_it_drains()
    {
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 2);
        int port = FreePorts.Tcp();
        SiloProcess watched = await cluster.AddSiloAsync(extraArguments: ["--metrics", $"127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        await cluster.WaitForAsync(
            async () => (await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).IsSuccessStatusCode, "the new silo is ready", TimeSpan.FromSeconds(30));
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz/live", UriKind.Relative)));
        // The dashboard is not served here, and nothing but these three paths is.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/DashboardCounters", UriKind.Relative))).StatusCode);

        await using (BlobClient client = await cluster.ConnectAsync(cluster.Silos[0]))
        {
            await client.DrainAsync(watched.Ticket.Node);
        }

        // Draining, then gone: either way not ready (503), while liveness holds until the process exits.
        await cluster.WaitForAsync(
            async () =>
            {
                try
                {
                    return (await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode == HttpStatusCode.ServiceUnavailable;
                }
                catch (HttpRequestException)
                {
                    return watched.HasExited; // drained (nothing to move) and exited before we looked
                }
            },
            "readiness reports the drain", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task With_an_otlp_endpoint_a_put_is_traced_across_the_silos_it_involves()
    {
        // One receiver per silo, so the test knows which silo exported which span.
        await using var first = new OtlpReceiver();
        await using var second = new OtlpReceiver();
        await using TestCluster cluster = await TestCluster.StartAsync(postgres.Server, 0);
        SiloProcess uploadedTo = await cluster.AddSiloAsync(2, environment: first.Environment);
        await cluster.AddSiloAsync(2, environment: second.Environment);
        await cluster.WaitForAsync(async () => (await cluster.StatusAsync()).Silos.Count(s => s.Status == "Active") == 2, "2 active silos");

        await using (BlobClient client = await cluster.ConnectAsync(uploadedTo))
        {
            await client.PutAsync(new MemoryStream([1, 2, 3]), 3); // acknowledged once both silos hold it (R = 2)
        }

        byte[]? trace = null;
        await cluster.WaitForAsync(() => Task.FromResult((trace = first.TraceIdOf("blobs put")) is not null), "the 'blobs put' span reaches the first silo's collector", TimeSpan.FromSeconds(30));
        Assert.True(first.Holds("granary.operation"u8));
        // The copy the other silo made for it ran under the same trace: Orleans carried the context through the grain calls.
        await cluster.WaitForAsync(() => Task.FromResult(second.Holds(trace)), "a span of the same trace from the other silo", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_killed_silo_is_declared_dead_within_three_seconds()
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
        // Idle, 1.1-1.5 s; the bound leaves room for a loaded machine (this test polls the table
        // through psql, a process start each time) and still tells our settings from Orleans' ~14 s.
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(3), $"declared dead after {clock.Elapsed.TotalSeconds:0.0} s; the bound is 3 s (ProbeTimeout 1 s, 2 missed probes)");
    }

    [Fact]
    public async Task Cluster_init_creates_the_schema_once_and_the_first_silo_adopts_its_settings()
    {
        string connection = await postgres.Server.CreateDatabaseAsync();
        ToolResult first = await SiloProcess.CliAsync("cluster", "init", connection, "--replicas", "3");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Matches(@"^schema version \d+ \(applied 1, 2, 3, 4.*\); 3 copies per blob", first.StdoutText);

        ToolResult again = await SiloProcess.CliAsync("cluster", "init", connection, "--replicas", "2");
        Assert.Equal(0, again.ExitCode);
        Assert.StartsWith("schema up to date", again.StdoutText, StringComparison.Ordinal);
        Assert.Contains("--replicas 2 ignored: the cluster already keeps 3 copies per blob", again.Stderr, StringComparison.Ordinal);

        using var data = new TempDirectory();
        await using SiloProcess silo = await SiloProcess.StartAsync(data.Path, connection);
        await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, silo.Token);
        Assert.Equal(3, (await client.ClusterStatusAsync()).Replicas);

        ToolResult unreachable = await SiloProcess.CliAsync("cluster", "init", "Host=127.0.0.1;Port=1;Username=x;Database=y;Timeout=2");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("the cluster database could not be used", unreachable.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unreachable.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_alone_with_no_flags_but_its_data_is_ready_within_five_seconds()
    {
        using var data = new TempDirectory();
        var clock = Stopwatch.StartNew();
        await using SiloProcess silo = await SiloProcess.StartAsync(data.Path, cluster: null);
        clock.Stop();
        output.WriteLine($"ready after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the silo printed 'ready' after {clock.Elapsed.TotalSeconds:0.0} s");

        await using BlobClient client = await BlobClient.ConnectAsync(silo.Ticket, silo.Token);
        ClusterStatus status = await client.ClusterStatusAsync();
        Assert.Equal(1, status.Replicas);
        Assert.Equal("Active", Assert.Single(status.Silos).Status);
    }
}
