using System.CommandLine;
using System.Net;
using Granary.Storage.Scrub;
using Granary.Blobs.Commands;

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
        Option<string?> dashboard = HttpEndpoint("--dashboard", "Serve the Orleans Dashboard (HTTP, no authentication: bind it to a private address) at HOST:PORT. Off by default.", "127.0.0.1:8080");
        Option<string?> metrics = HttpEndpoint(
            "--metrics",
            "Serve Prometheus metrics at http://HOST:PORT/metrics and health at /healthz/live and /healthz/ready (HTTP, no authentication: bind it to a private address). Off by default.",
            "127.0.0.1:9464");
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
            if (result.Tokens.Count == 1 && (!Durations.TryParse(result.Tokens[0].Value, "--transfer-inactivity-timeout", out TimeSpan value, out string? problem) || value < TimeSpan.FromSeconds(1)))
            {
                result.AddError(problem ?? "--transfer-inactivity-timeout must be at least 1s.");
            }
        });
        var scrubRate = new Option<string?>("--scrub-rate")
        {
            Description = "Bytes per second the background scrub re-reads stored blobs at to find rot (e.g. 16MiB, 200MB), or 0 to turn it off. Default: 16MiB (a terabyte in about 18 hours).",
            HelpName = "RATE",
        };
        scrubRate.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !TryParseRate(result.Tokens[0].Value, out _, out string? problem))
            {
                result.AddError(problem!);
            }
        });
        var scrubInterval = new Option<string?>("--scrub-interval")
        {
            Description = "How long a blob's last verification stays good before the scrub reads it again (e.g. 7d, 12h). Default: 7d.",
            HelpName = "DURATION",
        };
        scrubInterval.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (!Durations.TryParse(result.Tokens[0].Value, "--scrub-interval", out TimeSpan value, out string? problem) || value < TimeSpan.FromSeconds(1)))
            {
                result.AddError(problem ?? "--scrub-interval must be at least 1s.");
            }
        });
        var run = new Command("run", "Run a silo until Ctrl-C or SIGTERM. Prints 'ready <ticket>' when serving. Exit codes: 0 stopped or drained, 1 could not start, 3 declared dead by the cluster.") { data, listen, cluster, replicas, clusterPort, dashboard, metrics, scrubRate, scrubInterval, validators, inactivity };
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
                Metrics = parse.GetValue(metrics) is { } scrape ? IPEndPoint.Parse(scrape) : null,
                VoucherValidators = parse.GetValue(validators) ?? [],
                Scrub = new ScrubOptions
                {
                    BytesPerSecond = TryParseRate(parse.GetValue(scrubRate), out long rate, out _) ? rate : new ScrubOptions().BytesPerSecond,
                    Interval = Durations.TryParse(parse.GetValue(scrubInterval), "--scrub-interval", out TimeSpan every, out _) ? every : new ScrubOptions().Interval,
                },
                TransferInactivityTimeout = parse.GetValue(inactivity) is { } text && Durations.TryParse(text, "--transfer-inactivity-timeout", out TimeSpan timeout, out _) ? timeout : TimeSpan.FromMinutes(30),
            };
            return await SiloHost.RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return new Command("silo", "Run and manage silos.") { run };
    }

    /// <summary>A scrub pace: 0 (off) or a byte count per second of at least 64KiB.</summary>
    private static bool TryParseRate(string? text, out long rate, out string? problem)
    {
        rate = 0;
        problem = null;
        if (text is null)
        {
            return false;
        }

        if (text.Trim() == "0")
        {
            return true;
        }

        if (!Granary.Blobs.Commands.ByteSizes.TryParse(text, "--scrub-rate", out rate, out problem))
        {
            return false;
        }

        if (rate < ScrubOptions.MinBytesPerSecond)
        {
            problem = $"--scrub-rate '{text}' is below 64KiB per second; use 0 to turn the scrub off.";
            return false;
        }

        return true;
    }

    /// <summary>An HTTP listener's HOST:PORT option (port 1 to 65535).</summary>
    private static Option<string?> HttpEndpoint(string name, string description, string example)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "HOST:PORT" };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && (!IPEndPoint.TryParse(result.Tokens[0].Value, out IPEndPoint? endpoint) || endpoint.Port == 0))
            {
                result.AddError($"{name} '{result.Tokens[0].Value}' is not an IP address and port: use HOST:PORT with PORT 1 to 65535, e.g. {example}.");
            }
        });
        return option;
    }
}
