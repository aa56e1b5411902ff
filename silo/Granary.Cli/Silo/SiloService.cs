using System.Net;
using System.Security.Cryptography;
using Granary.Blobs.Protocol;
using Granary.Blobs.Server;
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
}

/// <summary>
/// One silo: the blob store (io_uring, SQLite metadata) served over QUIC with the blobs protocol,
/// and the expiry sweeper. On ready it prints <c>ready TICKET</c> and writes DATA/silo.ticket;
/// the admin token is DATA/admin.token, created on first start.
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
            Failed(_logger, error is IOException or QuicException or UnauthorizedAccessException or InvalidDataException ? error.Message : error.ToString());
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        string token = LoadOrCreateToken(TokenPath(options.DataDirectory));
        using var identity = NodeIdentity.LoadOrCreate(Path.Combine(options.DataDirectory, "node.key"));
        await using IFileIo io = FileIo.Create(loggers.CreateLogger("Granary.Storage"));
        await using BlobStore store = await BlobStore.OpenAsync(
            new BlobStoreOptions { Directory = Path.Combine(options.DataDirectory, "store") }, io, logger: loggers.CreateLogger<BlobStore>(), cancellationToken: stoppingToken).ConfigureAwait(false);
        var handler = new BlobsProtocolHandler(store, new BlobsServerOptions { AdminToken = token }, loggers.CreateLogger<BlobsProtocolHandler>());
        var router = ProtocolRouter.Start(
            new QuicEndpointOptions { Identity = identity, Bind = options.Listen },
            new Dictionary<string, IProtocolHandler> { [BlobsProtocolHandler.Alpn] = handler },
            loggers.CreateLogger<ProtocolRouter>());
        await using (router.ConfigureAwait(false))
        {
            IPEndPoint address = router.Endpoint.LocalEndPoint;
            if (address.Address.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any))
            {
                // A ticket needs an address peers can dial; the wildcard is not one.
                address = new IPEndPoint(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, address.Port);
            }

            var ticket = new SiloTicket(identity.Id, address);
            await File.WriteAllTextAsync(TicketPath(options.DataDirectory), ticket + "\n", stoppingToken).ConfigureAwait(false);
            Console.Out.WriteLine($"ready {ticket}");
            await Console.Out.FlushAsync(stoppingToken).ConfigureAwait(false);
            await store.RunSweeperAsync(stoppingToken).ConfigureAwait(false);
            await router.ShutdownAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    private static string LoadOrCreateToken(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
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

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo cannot run: {Reason}")]
    private static partial void Failed(ILogger logger, string reason);
}
