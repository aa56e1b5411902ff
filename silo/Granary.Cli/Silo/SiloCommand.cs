using System.CommandLine;
using System.Net;

namespace Granary.Cli.Silo;

/// <summary><c>granary silo run</c>: a silo alone (embedded SQLite) or in a cluster (PostgreSQL).</summary>
internal static class SiloCommand
{
    /// <summary>The most copies of a blob a cluster may keep (the grains' limit, which start-up checks again).</summary>
    public const int MaxReplicas = Granary.Grains.Blobs.BlobClusterOptions.MaxReplicas;

    /// <summary>The <c>silo</c> command and its subcommands.</summary>
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Directory for blobs, metadata, the node key, admin.token and silo.ticket.", DefaultValueFactory = _ => ".granary" };
        var listen = new Option<string>("--listen") { Description = "Address and port for QUIC (UDP); port 0 to 65535, 0 = any free port.", DefaultValueFactory = _ => "127.0.0.1:4433", HelpName = "HOST:PORT" };
        var cluster = new Option<string?>("--cluster") { Description = "PostgreSQL connection string of the cluster to join (the first silo creates the schema). Without it the silo runs alone, its grain state in DATA/grains.db.", HelpName = "CONNECTION" };
        Option<int?> replicas = OptionValues.OptionalInteger("--replicas", 1, MaxReplicas, string.Empty);
        replicas.Description = $"Copies of every blob (R), 1 to {MaxReplicas}, used when this silo creates the cluster; default 2 (1 while only one silo is active).";
        replicas.HelpName = "R";
        Option<int?> clusterPort = OptionValues.OptionalInteger("--cluster-port", 1, 65535, string.Empty);
        clusterPort.Description = "TCP port of silo-to-silo messaging (Orleans), 1 to 65535; default: the QUIC port's number (any free port when that is 0).";
        clusterPort.HelpName = "PORT";
        var dashboard = new Option<string?>("--dashboard") { Description = "Serve the Orleans Dashboard (HTTP, no authentication: bind it to a private address) at HOST:PORT. Off by default.", HelpName = "HOST:PORT" };
        dashboard.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (!IPEndPoint.TryParse(result.Tokens[0].Value, out IPEndPoint? endpoint) || endpoint.Port == 0))
            {
                result.AddError($"--dashboard '{result.Tokens[0].Value}' is not an IP address and port: use HOST:PORT with PORT 1 to 65535, e.g. 127.0.0.1:8080.");
            }
        });
        var validators = new Option<string[]>("--voucher-validator")
        {
            Description = "Load your own voucher types for transfer channels from ASSEMBLY (a .NET assembly exporting IVoucherValidator classes with parameterless constructors; see examples/). Repeatable.",
            HelpName = "ASSEMBLY",
            AllowMultipleArgumentsPerToken = false,
        };
        var inactivity = new Option<string?>("--transfer-inactivity-timeout")
        {
            Description = "Fail a transfer channel this silo sends on when the receiver asks for nothing and does not complete for this long (e.g. 30m, 2h). Default: 30m.",
            HelpName = "DURATION",
        };
        inactivity.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (!OptionValues.TryParseDuration(result.Tokens[0].Value, "--transfer-inactivity-timeout", out TimeSpan value, out string? problem) || value < TimeSpan.FromSeconds(1)))
            {
                result.AddError(problem ?? "--transfer-inactivity-timeout must be at least 1s.");
            }
        });
        var run = new Command("run", "Run a silo until Ctrl-C or SIGTERM. Prints 'ready <ticket>' when serving. Exit codes: 0 stopped or drained, 1 could not start, 3 declared dead by the cluster.") { data, listen, cluster, replicas, clusterPort, dashboard, validators, inactivity };
        listen.Validators.Add(result =>
        {
            // On the option, from its token: a command-level check would read the value after
            // other options failed to parse, when values are no longer available.
            if (result.Tokens.Count == 1 && !IPEndPoint.TryParse(result.Tokens[0].Value, out _))
            {
                result.AddError($"--listen '{result.Tokens[0].Value}' is not an IP address and port: use HOST:PORT with PORT 0 to 65535 (0 = any free port), e.g. 127.0.0.1:4433 or [::]:4433.");
            }
        });
        run.SetAction(async (parse, cancellationToken) =>
        {
            var options = new SiloOptions
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                Listen = IPEndPoint.Parse(parse.GetValue(listen)!),
                Cluster = parse.GetValue(cluster),
                Replicas = parse.GetValue(replicas),
                ClusterPort = parse.GetValue(clusterPort),
                Dashboard = parse.GetValue(dashboard) is { } at ? IPEndPoint.Parse(at) : null,
                VoucherValidators = parse.GetValue(validators) ?? [],
                TransferInactivityTimeout = parse.GetValue(inactivity) is { } text && OptionValues.TryParseDuration(text, "--transfer-inactivity-timeout", out TimeSpan timeout, out _) ? timeout : TimeSpan.FromMinutes(30),
            };
            return await SiloHost.RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return new Command("silo", "Run and manage silos.") { run };
    }
}
