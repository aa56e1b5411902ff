using System.Net;
using Granary.Cli.Silo;
using Granary.Testing;

namespace Granary.Cli.Tests;

/// <summary><see cref="SiloOptions.Validate"/>: good options pass, each bad value is refused with one sentence naming it, and a silo with bad options does not start.</summary>
public sealed class SiloOptionsTests
{
    private static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    [Fact]
    public void Good_options_pass()
    {
        var options = new SiloOptions { DataDirectory = "d", Listen = Loopback(4433) };
        options.Validate();
        Assert.Null(options.ClusterPort);
        Assert.Null(options.Cluster);
        Assert.Null(options.Dashboard);
        Assert.Null(options.Replicas);
        new SiloOptions
        {
            DataDirectory = "d", Listen = new IPEndPoint(IPAddress.Any, 0), ClusterPort = 65535, Cluster = "Host=db", Dashboard = new IPEndPoint(IPAddress.Loopback, 8080), Replicas = 16,
        }.Validate();
    }

    // By name: SiloOptions is internal, so it cannot be a public theory's parameter.
    private static readonly Dictionary<string, SiloOptions> Bad = new()
    {
        ["data empty"] = new SiloOptions { DataDirectory = "", Listen = Loopback(4433) },
        ["listen null"] = new SiloOptions { DataDirectory = "d", Listen = null! },
        ["cluster port 0"] = new SiloOptions { DataDirectory = "d", Listen = Loopback(4433), ClusterPort = 0 },
        ["cluster blank"] = new SiloOptions { DataDirectory = "d", Listen = Loopback(4433), Cluster = " " },
        ["dashboard port 0"] = new SiloOptions { DataDirectory = "d", Listen = Loopback(4433), Dashboard = Loopback(0) },
        ["replicas 17"] = new SiloOptions { DataDirectory = "d", Listen = Loopback(4433), Replicas = 17 },
    };

    [Theory]
    [InlineData("data empty", "DataDirectory", "SiloOptions.DataDirectory (--data) is ''; it must name the silo's data directory.")]
    [InlineData("listen null", "Listen", "SiloOptions.Listen (--listen) is null; it must be an IP address and port (port 0 = any free port).")]
    [InlineData("cluster port 0", "ClusterPort", "SiloOptions.ClusterPort (--cluster-port) is 0; it must be 1 to 65535, or null for the QUIC port's number.")]
    [InlineData("cluster blank", "Cluster", "SiloOptions.Cluster (--cluster) is ' '; it must be a PostgreSQL connection string, or null to run alone.")]
    [InlineData("dashboard port 0", "Dashboard", "SiloOptions.Dashboard (--dashboard) is 127.0.0.1:0; its port must be 1 to 65535, or the whole option null for no dashboard.")]
    [InlineData("replicas 17", "Replicas", "SiloOptions.Replicas (--replicas) is 17; it must be 1 to 16, or null for the cluster's setting.")]
    public void A_bad_value_is_refused_with_a_sentence_naming_it(string @case, string option, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(Bad[@case].Validate);
        Assert.Equal(option, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_with_a_bad_option_exits_1_before_creating_anything()
    {
        using var directory = new TempDirectory();
        string data = directory.File("data");
        var options = new SiloOptions { DataDirectory = data, Listen = new IPEndPoint(IPAddress.Loopback, 0), Replicas = 0 };
        Assert.Equal(1, await SiloHost.RunAsync(options, CancellationToken.None));
        Assert.False(Directory.Exists(data));
    }
}
