using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Gossip.Net;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Grains.Gossip;
using Granary.Grains.Blobs;
using Granary.Grains.Cluster;
using Granary.Grains.Hosting;
using Granary.Grains.Placement;
using Granary.Grains.Transfers;
using Granary.Orleans;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Storage.Scrub;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Granary.Cli.Silo;

/// <summary>
/// One silo: the blob store (io_uring, SQLite metadata) served over QUIC with the blobs protocol,
/// and an Orleans silo in the same Generic Host running the cluster's grains — on PostgreSQL
/// (clustering, grain state, reminders through Orleans' ADO.NET providers on Granary's schema) or,
/// alone, on localhost clustering with grain state in DATA/grains.db. On ready it prints
/// <c>ready TICKET</c> and writes DATA/silo.ticket. The admin token is the cluster's (created by
/// its first silo) and is written to DATA/admin.token.
/// </summary>
internal static partial class SiloHost
{
    public static string TokenPath(string dataDirectory) => Path.Combine(dataDirectory, "admin.token");

    public static string TicketPath(string dataDirectory) => Path.Combine(dataDirectory, "silo.ticket");

    /// <summary>Runs the silo until <paramref name="stoppingToken"/> is cancelled or it has drained; returns the process exit code.</summary>
    public static async Task<int> RunAsync(SiloOptions options, CancellationToken stoppingToken)
    {
        MallocArenas.Limit(MallocArenas.SiloArenas);
        using ILoggerFactory loggers = LoggerFactory.Create(ConfigureLogging);
        ILogger logger = loggers.CreateLogger("Granary.Silo");
        try
        {
            options.Validate();
            return await RunCoreAsync(options, loggers, logger, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return 0; // Ctrl-C or SIGTERM while starting
        }
#pragma warning disable CA1031 // The process boundary: any failure stops the silo with exit code 1 and one sentence.
        catch (Exception error)
#pragma warning restore CA1031
        {
            bool known = InUse(error) || error is IOException or QuicException or UnauthorizedAccessException or InvalidDataException or System.Data.Common.DbException
                or ArgumentException or OrleansException or SocketException or TimeoutException;
            Failed(logger, known ? Explain(error, options) : error.ToString());
            return 1;
        }
    }

    /// <summary>Logs to standard error: standard output carries the 'ready' line scripts wait for.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning); // Orleans placement retries log every attempt at Information
        logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error); // at start it reports the machine's uptime as a stall // its start-up notes (server GC) are advice, not problems
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    private static async Task<int> RunCoreAsync(SiloOptions options, ILoggerFactory loggers, ILogger logger, CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        string token;
        int replicas;
        ClusterSettings? settings = null;
        if (options.Cluster is { } connectionString)
        {
            await new OrleansSchema(loggers.CreateLogger<OrleansSchema>()).ApplyAsync(connectionString, stoppingToken).ConfigureAwait(false);
            settings = new ClusterSettings(connectionString);
            token = await ClusterTokenAsync(settings, options.DataDirectory, logger, stoppingToken).ConfigureAwait(false);
            replicas = await ReplicasAsync(settings, options.Replicas, logger, stoppingToken).ConfigureAwait(false);
        }
        else
        {
            token = LoadOrCreateToken(TokenPath(options.DataDirectory));
            replicas = 1; // a silo alone holds the only copy: say so rather than report a cluster short of R silos
        }

        // The key grants are signed with: one per cluster (shared through the database), or the silo's own alone.
        string grantPem = LoadOrCreateToken(GrantKeyPath(options.DataDirectory), NewGrantKeyPem());
        if (settings is not null)
        {
            grantPem = await settings.GetOrCreateAsync("grant-key", grantPem, stoppingToken).ConfigureAwait(false);
        }

        using var grantKey = ECDsa.Create();
        grantKey.ImportFromPem(grantPem);

        var blobOptions = new BlobClusterOptions { Replicas = replicas, Standalone = options.Cluster is null };
        blobOptions.Validate();
        using var identity = NodeIdentity.LoadOrCreate(Path.Combine(options.DataDirectory, "node.key"));
        await using IFileIo io = FileIo.Create(loggers.CreateLogger("Granary.Storage"));
        await using BlobStore store = await BlobStore.OpenAsync(
            new BlobStoreOptions { Directory = Path.Combine(options.DataDirectory, "store") }, io, logger: loggers.CreateLogger<BlobStore>(), cancellationToken: stoppingToken).ConfigureAwait(false);

        // Bound before Orleans is configured: the silo's name in the membership is its QUIC ticket.
        ProtocolRouter router = ProtocolRouter.Bind(new QuicEndpointOptions { Identity = identity, Bind = options.Listen, Transport = QuicTransportOptions.ForPath(options.Listen.Address) }, [BlobsProtocolHandler.Alpn, TransferProtocol.Alpn, GossipWire.Alpn, TopicsProtocol.Alpn], loggers.CreateLogger<ProtocolRouter>());
        await using (router.ConfigureAwait(false))
        {
            IPEndPoint address = Advertised(router.Endpoint.LocalEndPoint);
            var ticket = new SiloTicket(identity.Id, address);
            int clusterPort = options.ClusterPort ?? (options.Listen.Port == 0 ? FreeTcpPort(address.Address) : address.Port);
            await using var connections = new ConnectionPool(router.Endpoint, new ConnectionPoolOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });
            using ClusterCertificates? certificates = settings is null ? null : await ClusterCertificates.LoadAsync(settings, identity.Id.ToString(), stoppingToken).ConfigureAwait(false);
            var vouchers = new VoucherRegistry().Register(new GrantValidator([grantKey])).Register(new TokenVoucherValidator(token));
            foreach (string loaded in VoucherValidatorAssemblies.Load(options.VoucherValidators, vouchers))
            {
                ValidatorLoaded(logger, loaded);
            }

            // Gossip is among this cluster's silos only: the membership decides whom a silo takes and dials (known once the host runs).
            var gossipOptions = new GossipOptions();
            ClusterView? gossipMembers = null;
            await using var gossipNode = new GossipNode(
                router.Endpoint,
                gossipOptions,
                loggers.CreateLogger<GossipNode>(),
                accepts: node => gossipMembers?.FindServing(node) is not null,
                dials: peer => gossipMembers?.FindServing(peer.Node)?.Ticket == peer);
            using IHost host = BuildHost(options, ticket, address, clusterPort, store, connections, blobOptions, certificates, vouchers, grantKey, gossipNode, gossipOptions);
            await host.StartAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                TransferService transfers = host.Services.GetRequiredService<TransferService>();
                ClusterBlobs cluster = host.Services.GetRequiredService<ClusterBlobs>();
                using var scrubber = new BlobScrubber(
                    store, options.Scrub, loggers.CreateLogger<BlobScrubber>(), cluster.KeepsRecords ? cluster.RestoreAsync : null);
                var handler = new BlobsProtocolHandler(
                    store, new BlobsServerOptions { AdminToken = token }, loggers.CreateLogger<BlobsProtocolHandler>(), cluster, transfers, scrubber);
                ClusterView members = host.Services.GetRequiredService<ClusterView>();
                gossipMembers = members;
                var transferHandler = new TransferProtocolHandler(transfers, token, members.IsMember, loggers.CreateLogger<TransferProtocolHandler>());
                GossipService gossip = host.Services.GetRequiredService<GossipService>();
                var topicsHandler = new TopicsProtocolHandler(gossip, token, members.IsMember, loggers.CreateLogger<TopicsProtocolHandler>());
                router.Serve(new Dictionary<string, IProtocolHandler>
                {
                    [BlobsProtocolHandler.Alpn] = handler,
                    [TransferProtocol.Alpn] = transferHandler,
                    [GossipWire.Alpn] = gossipNode,
                    [TopicsProtocol.Alpn] = topicsHandler,
                });
                ClusterView view = host.Services.GetRequiredService<ClusterView>();
                if (view.Silos.FirstOrDefault(s => s.IsServing && s.Ticket.Node == identity.Id && !s.Address.Equals(view.SelfAddress)) is { } twin)
                {
                    // Two silos with one node id would count one copy twice: refuse before serving anything.
                    throw new InvalidDataException($"another serving silo already has this node key ({twin.Ticket}): a data directory's node.key must not be copied to another silo; give this one its own data directory");
                }

                int active = view.PlacementTargets.Count;
                Joined(logger, ticket, options.Cluster is null ? "alone (grain state in DATA/grains.db)" : "on PostgreSQL", active, replicas);
                await File.WriteAllTextAsync(TicketPath(options.DataDirectory), ticket + "\n", stoppingToken).ConfigureAwait(false);
                Console.Out.WriteLine($"ready {ticket}");
                await Console.Out.FlushAsync(stoppingToken).ConfigureAwait(false);
                await ResumeTransfersAsync(transfers, logger, stoppingToken).ConfigureAwait(false);

                using RepairService repair = host.Services.GetRequiredService<RepairService>();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                Task repairing = repair.RunAsync(stop.Token);
                Task scrubbing = scrubber.RunAsync(stop.Token);
                Task sweeping = store.RunSweeperAsync(stop.Token, cluster.KeepsRecords ? cluster.ConfirmExpiryAsync : null);
                Task monitoring = transfers.MonitorSendersAsync(stop.Token);
                ClusterEvents events = host.Services.GetRequiredService<ClusterEvents>();
                Task telling = events.RunAsync(stop.Token);
                using SiloMetrics metrics = host.Services.GetRequiredService<SiloMetrics>();
                // Its gauges cost queries (the store's totals, the cluster's channel list): only when scraped.
                Task measuring = options.Metrics is null ? Task.CompletedTask : metrics.RunAsync(stop.Token);
                SiloReadiness readiness = host.Services.GetRequiredService<SiloReadiness>();
                readiness.Serving = true;
                Task first = await Task.WhenAny(repairing, sweeping, monitoring, Task.Delay(Timeout.Infinite, stoppingToken)).ConfigureAwait(false);
                readiness.Serving = false;
                await events.PublishStoppingAsync().ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                await IgnoreCancellationAsync(repairing, sweeping, monitoring, telling, measuring, scrubbing).ConfigureAwait(false);
                if (first != repairing && first.IsFaulted)
                {
                    await first.ConfigureAwait(false);
                }

                if (repair.Left.IsCompleted)
                {
                    Left(logger);
                }
            }
            finally
            {
                // Clients first (in-flight transfers get a clean "shutting down"), then leave the cluster gracefully.
                await host.Services.GetRequiredService<TransferService>().DisposeAsync().ConfigureAwait(false);
                await host.Services.GetRequiredService<GossipService>().DisposeAsync().ConfigureAwait(false);
                // Before the endpoint closes, so that what is queued to the neighbours (the
                // silo-stopping event, the goodbyes) is delivered rather than cut off.
                await gossipNode.DisposeAsync().ConfigureAwait(false);
                await router.ShutdownAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await host.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static IHost BuildHost(
        SiloOptions options, SiloTicket ticket, IPEndPoint address, int clusterPort, BlobStore store, ConnectionPool connections, BlobClusterOptions blobOptions, ClusterCertificates? certificates,
        VoucherRegistry vouchers, ECDsa grantKey, GossipNode gossipNode, GossipOptions gossipOptions)
    {
        // A web host only when the dashboard or metrics are asked for: otherwise no HTTP listener at all.
        WebApplicationBuilder? web = options.Dashboard is null && options.Metrics is null ? null : WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        IHostApplicationBuilder builder = web is not null ? web : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        ConfigureLogging(builder.Logging);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton(blobOptions);
        builder.Services.AddSingleton<RepairBacklog>();
        builder.Services.AddSingleton<ClusterView>();
        builder.Services.AddSingleton<ClusterBlobs>();
        builder.Services.AddSingleton<RepairService>();
        builder.Services.AddSingleton(new TransferOptions { InactivityTimeout = options.TransferInactivityTimeout });
        builder.Services.AddSingleton<TransferPeers>();
        builder.Services.AddSingleton(vouchers);
        builder.Services.AddSingleton(grantKey);
        builder.Services.AddSingleton<TransferService>();
        builder.Services.AddSingleton(gossipNode);
        builder.Services.AddSingleton(gossipOptions);
        builder.Services.AddSingleton<GossipService>();
        builder.Services.AddSingleton<ClusterEvents>();
        builder.Services.AddSingleton<SiloMetrics>();
        builder.Services.AddSingleton<SiloReadiness>();
        AddTelemetry(builder, options, ticket);
        builder.UseOrleans(silo =>
        {
            silo.AddActivityPropagation();
            silo.AddGranaryGrains();
            silo.Configure<global::Orleans.Configuration.SiloOptions>(o => o.SiloName = ticket.ToString());
            if (options.Cluster is { } connectionString)
            {
                silo.ConfigureEndpoints(address.Address, clusterPort, gatewayPort: 0, listenOnAnyHostAddress: IsWildcard(options.Listen.Address));
                silo.UseGranaryCluster(connectionString, certificates ?? throw new InvalidOperationException("a cluster silo needs its certificates"));
            }
            else
            {
                silo.UseGranaryAlone(clusterPort, Path.Combine(options.DataDirectory, "grains.db"));
            }

            if (options.Dashboard is not null)
            {
                silo.AddDashboard();
            }
        });
        builder.Services.AddSingleton<IFatalErrorHandler, DeclaredDeadHandler>();
        if (web is null)
        {
            return ((HostApplicationBuilder)builder).Build();
        }

        web.WebHost.UseUrls([.. new[] { options.Dashboard, options.Metrics }.OfType<IPEndPoint>().Select(e => $"http://{e}")]);
        WebApplication app = web.Build();
        // With both, each endpoint answers on its own port only (the dashboard must not appear on the
        // metrics port); that goes by the Host header's port, so it is set only when both are served:
        // alone, a scraper or proxy that sends a Host without the port is answered too.
        bool both = options.Dashboard is not null && options.Metrics is not null;
        if (options.Dashboard is { } dashboard)
        {
            IEndpointConventionBuilder mapped = app.MapOrleansDashboard();
            if (both)
            {
                mapped.RequireHost($"*:{dashboard.Port}");
            }
        }

        if (options.Metrics is { } metrics)
        {
            foreach (IEndpointConventionBuilder mapped in new[]
            {
                app.MapPrometheusScrapingEndpoint(),
                app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false }),
                app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }),
            })
            {
                if (both)
                {
                    mapped.RequireHost($"*:{metrics.Port}");
                }
            }
        }

        return app;
    }

    /// <summary>
    /// Metrics (every Granary meter and the runtime's, scraped at /metrics) with <c>--metrics</c>;
    /// traces of requests and grain calls exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set (OpenTelemetry's own variable, with its companions for headers and protocol).
    /// </summary>
    private static void AddTelemetry(IHostApplicationBuilder builder, SiloOptions options, SiloTicket ticket)
    {
        bool traces = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        if (options.Metrics is null && !traces)
        {
            return;
        }

        // OpenTelemetry reads its OTEL_* settings from the host's configuration, which (built without
        // defaults) has no environment source: hand it those variables, and only those.
        builder.Configuration.AddInMemoryCollection(
            Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Where(e => e.Key is string key && key.StartsWith("OTEL_", StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string?>((string)e.Key, e.Value as string)));
        OpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("granary-silo", serviceInstanceId: ticket.Node.ToString()));
        if (options.Metrics is not null)
        {
            builder.Services.AddHealthChecks().AddCheck<SiloReadiness>("silo", tags: ["ready"]);
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(TransportMetrics.MeterName, BlobsServerMetrics.MeterName, ClusterMetrics.MeterName, SiloMetrics.MeterName, BlobScrubber.MeterName, "System.Runtime")
                .AddPrometheusExporter());
        }

        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(BlobsServerMetrics.ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter());
        }
    }

    /// <summary>A ticket needs an address peers can dial; the wildcard is not one.</summary>
    private static IPEndPoint Advertised(IPEndPoint bound) => IsWildcard(bound.Address)
        ? new IPEndPoint(bound.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, bound.Port)
        : bound;

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static int FreeTcpPort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Explain(Exception error, SiloOptions options) => error switch
    {
        _ when (options.Dashboard is not null || options.Metrics is not null) && error.ToString().Contains("http://", StringComparison.Ordinal) =>
            $"the HTTP listener ({string.Join(", ", new[] { ("--dashboard", options.Dashboard), ("--metrics", options.Metrics) }.Where(o => o.Item2 is not null).Select(o => $"{o.Item1} {o.Item2}"))}) could not start: {error.Message} Choose a free local address.",
        _ when InUse(error) =>
            $"the TCP port for silo-to-silo messaging ({options.ClusterPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"{options.Listen.Port}, the QUIC port's number"}) is in use by another process: free it or choose another with --cluster-port.",
        System.Data.Common.DbException => $"the cluster database could not be used: {error.Message}. Check --cluster (host, port, database, user, password) and that PostgreSQL is running and reachable.",
        SocketException or OrleansException when error.Message.Contains("address", StringComparison.OrdinalIgnoreCase) => $"{error.Message}. Another process may hold the cluster port; choose one with --cluster-port.",
        // An options check (Validate) already names the option in its sentence: drop .NET's "(Parameter 'X')" tail.
        ArgumentException { ParamName: { } name } => error.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal),
        _ => error.Message,
    };

    /// <summary>True if a bind failed because the address is taken (Orleans' and Kestrel's listeners wrap the socket error).</summary>
    private static bool InUse(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }

    private static async Task IgnoreCancellationAsync(params Task[] tasks)
    {
        foreach (Task task in tasks)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    /// <summary>The cluster's admin token: the first silo's wins; every silo keeps a copy in DATA/admin.token.</summary>
    private static async Task<string> ClusterTokenAsync(ClusterSettings settings, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        string path = TokenPath(dataDirectory);
        bool had = File.Exists(path);
        string local = LoadOrCreateToken(path);
        string cluster = await settings.GetOrCreateAsync("admin-token", local, cancellationToken).ConfigureAwait(false);
        if (cluster != local)
        {
            File.Delete(path);
            LoadOrCreateToken(path, cluster);
            if (had)
            {
                TokenReplaced(logger, path);
            }
        }

        return cluster;
    }

    private static async Task<int> ReplicasAsync(ClusterSettings settings, int? asked, ILogger logger, CancellationToken cancellationToken)
    {
        string wanted = (asked ?? 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        int replicas = int.Parse(await settings.GetOrCreateAsync("replicas", wanted, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (asked is { } value && value != replicas)
        {
            ReplicasIgnored(logger, value, replicas);
        }

        return replicas;
    }

    /// <summary>Where a silo keeps its grant key (ECDSA P-256, PKCS#8 PEM); in a cluster the database's copy wins.</summary>
    public static string GrantKeyPath(string dataDirectory) => Path.Combine(dataDirectory, "grant.key");

    private static string NewGrantKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Resumes the channels this silo takes part in; a failure is logged, never fatal to the silo.</summary>
    private static async Task ResumeTransfersAsync(TransferService transfers, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await transfers.ResumeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            TransfersNotResumed(logger, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Voucher type {Validator} loaded")]
    private static partial void ValidatorLoaded(ILogger logger, string validator);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer channels were not resumed at start: {Reason}")]
    private static partial void TransfersNotResumed(ILogger logger, string reason);

    private static string LoadOrCreateToken(string path, string? value = null)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        string token = value ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(new FileStream(path, create)))
        {
            writer.WriteLine(token);
        }

        return token;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined the cluster as {Ticket}, {Mode}: {Active} active silos, {Replicas} copies of every blob")]
    private static partial void Joined(ILogger logger, SiloTicket ticket, string mode, int active, int replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: leaving the cluster")]
    private static partial void Left(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This data directory had its own admin token; it now holds the cluster's ({Path})")]
    private static partial void TokenReplaced(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "--replicas {Asked} ignored: the cluster was created with {Replicas} copies per blob")]
    private static partial void ReplicasIgnored(ILogger logger, int asked, int replicas);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo cannot run: {Reason}")]
    private static partial void Failed(ILogger logger, string reason);
}
