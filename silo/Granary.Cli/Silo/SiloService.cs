using System.Net;
using System.Security.Cryptography;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
using Granary.Grains.Blobs;
using Granary.Grains.Membership;
using Granary.Grains.Runtime;
using Granary.Grains.Storage;
using Granary.Storage.Blobs;
using Granary.Storage.IO;
using Granary.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.Cli.Silo;

/// <summary>Where a single silo keeps its state and listens.</summary>
internal sealed class SiloOptions
{
    public required string DataDirectory { get; init; }

    public required IPEndPoint Listen { get; init; }

    /// <summary>PostgreSQL connection string of the cluster; null runs alone on DATA/cluster.db (SQLite).</summary>
    public string? Cluster { get; init; }

    /// <summary>Copies of every blob when this silo creates the cluster; null keeps the cluster's setting (default 2).</summary>
    public int? Replicas { get; init; }
}

/// <summary>
/// One silo: the blob store (io_uring, SQLite metadata) served over QUIC with the blobs protocol,
/// the grain runtime (membership, blob grains, repair) on the cluster database, and the expiry
/// sweeper. On ready it prints <c>ready TICKET</c> and writes DATA/silo.ticket. The admin token is
/// the cluster's (created by its first silo) and is written to DATA/admin.token.
/// </summary>
internal sealed partial class SiloService(SiloOptions options, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<SiloService>();

    public static string TokenPath(string dataDirectory) => Path.Combine(dataDirectory, "admin.token");

    public static string TicketPath(string dataDirectory) => Path.Combine(dataDirectory, "silo.ticket");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl-C or SIGTERM.
        }
#pragma warning disable CA1031 // The service boundary: any failure stops the silo with a non-zero exit code.
        catch (Exception error)
#pragma warning restore CA1031
        {
            Failed(_logger, error is IOException or QuicException or UnauthorizedAccessException or InvalidDataException or System.Data.Common.DbException or ArgumentException ? error.Message : error.ToString());
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        await using ClusterDatabase database = options.Cluster is { } connectionString
            ? ClusterDatabase.Postgres(connectionString)
            : ClusterDatabase.Sqlite(Path.Combine(options.DataDirectory, "cluster.db"));
        await database.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        string token = await ClusterTokenAsync(database, stoppingToken).ConfigureAwait(false);
        // A silo alone holds the only copy: say so rather than report a cluster short of R silos.
        int replicas = database.IsPostgres ? await ReplicasAsync(database, stoppingToken).ConfigureAwait(false) : 1;

        using var identity = NodeIdentity.LoadOrCreate(Path.Combine(options.DataDirectory, "node.key"));
        await using IFileIo io = FileIo.Create(loggers.CreateLogger("Granary.Storage"));
        await using BlobStore store = await BlobStore.OpenAsync(
            new BlobStoreOptions { Directory = Path.Combine(options.DataDirectory, "store") }, io, logger: loggers.CreateLogger<BlobStore>(), cancellationToken: stoppingToken).ConfigureAwait(false);

        var self = new SiloIncarnation(identity.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var blobOptions = new BlobClusterOptions { Replicas = replicas, Standalone = !database.IsPostgres };
        await using var runtime = new GrainRuntime(database, self, new GrainRuntimeOptions(), new MembershipOptions(), loggers);
        var replicator = new BlobReplicator(store, runtime, blobOptions, loggers.CreateLogger<BlobReplicator>());
        runtime.AddGrainType(BlobGrain.TypeName, () => new BlobGrain(blobOptions, loggers.CreateLogger<BlobGrain>()));
        runtime.AddSiloService(replicator);
        using var repair = new RepairService(runtime, store, replicator, blobOptions, loggers.CreateLogger<RepairService>());
        var handler = new BlobsProtocolHandler(
            store, new BlobsServerOptions { AdminToken = token }, loggers.CreateLogger<BlobsProtocolHandler>(), new ClusterBlobs(runtime, replicator, blobOptions));
        var router = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = identity, Bind = options.Listen },
            new Dictionary<string, IProtocolHandler> { [BlobsProtocolHandler.Alpn] = handler, [GrainRuntime.Alpn] = runtime.CreateProtocolHandler() },
            loggers.CreateLogger<ProtocolRouter>());
        await using (router.ConfigureAwait(false))
        {
            IPEndPoint address = router.Endpoint.LocalEndPoint;
            if (address.Address.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any))
            {
                // A ticket needs an address peers can dial; the wildcard is not one.
                address = new IPEndPoint(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, address.Port);
            }

            await runtime.StartAsync(router.Endpoint, address, stoppingToken).ConfigureAwait(false);
            Joined(_logger, database.Description, runtime.View.Active.Count, replicas);
            var ticket = new SiloTicket(identity.Id, address);
            await File.WriteAllTextAsync(TicketPath(options.DataDirectory), ticket + "\n", stoppingToken).ConfigureAwait(false);
            Console.Out.WriteLine($"ready {ticket}");
            await Console.Out.FlushAsync(stoppingToken).ConfigureAwait(false);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Task membership = runtime.RunAsync(stop.Token);
            Task repairing = repair.RunAsync(stop.Token);
            Task sweeping = store.RunSweeperAsync(stop.Token);
            Task first = await Task.WhenAny(membership, repairing, sweeping).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellationAsync(membership, repairing, sweeping).ConfigureAwait(false);
            if (membership.Exception?.InnerException is SiloDeclaredDeadException dead)
            {
                // Another silo owns our grains now: serving any longer could only do harm.
                DeclaredDead(_logger, dead.Message);
                Environment.ExitCode = 3;
                lifetime.StopApplication();
                return;
            }

            if (first.IsFaulted)
            {
                await first.ConfigureAwait(false);
            }

            if (repair.Left.IsCompleted)
            {
                lifetime.StopApplication();
            }

            await runtime.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await router.ShutdownAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
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
            catch (SiloDeclaredDeadException)
            {
                // Reported by the caller.
            }
        }
    }

    /// <summary>The cluster's admin token: the first silo's wins; every silo keeps a copy in DATA/admin.token.</summary>
    private async Task<string> ClusterTokenAsync(ClusterDatabase database, CancellationToken cancellationToken)
    {
        string path = TokenPath(options.DataDirectory);
        string local = LoadOrCreateToken(path);
        string cluster = await database.GetOrCreateSettingAsync("admin-token", local, cancellationToken).ConfigureAwait(false);
        if (cluster != local)
        {
            File.Delete(path);
            LoadOrCreateToken(path, cluster);
            TokenReplaced(_logger, path);
        }

        return cluster;
    }

    private async Task<int> ReplicasAsync(ClusterDatabase database, CancellationToken cancellationToken)
    {
        string wanted = (options.Replicas ?? 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        int replicas = int.Parse(await database.GetOrCreateSettingAsync("replicas", wanted, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (options.Replicas is { } asked && asked != replicas)
        {
            ReplicasIgnored(_logger, asked, replicas);
        }

        return replicas;
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster database {Database}: {Active} active silos, {Replicas} copies of every blob")]
    private static partial void Joined(ILogger logger, string database, int active, int replicas);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopping: {Reason}")]
    private static partial void DeclaredDead(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This data directory had its own admin token; it now holds the cluster's ({Path})")]
    private static partial void TokenReplaced(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "--replicas {Asked} ignored: the cluster was created with {Replicas} copies per blob")]
    private static partial void ReplicasIgnored(ILogger logger, int asked, int replicas);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo cannot run: {Reason}")]
    private static partial void Failed(ILogger logger, string reason);
}
