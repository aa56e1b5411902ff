using Granary.Blobs.Client;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Testing;

namespace Granary.Cluster.Tests;

/// <summary>Silo processes sharing one fresh PostgreSQL database, each with its own data directory.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly List<TempDirectory> _directories = [];

    private readonly PostgresServer _postgres;

    private TestCluster(PostgresServer postgres, string connection)
    {
        _postgres = postgres;
        Connection = connection;
    }

    public string Connection { get; }

    public List<SiloProcess> Silos { get; } = [];

    public IEnumerable<SiloProcess> Running => Silos.Where(s => !s.HasExited);

    public static async Task<TestCluster> StartAsync(PostgresServer postgres, int silos, int replicas = 2)
    {
        var cluster = new TestCluster(postgres, await postgres.CreateDatabaseAsync());
        try
        {
            for (int i = 0; i < silos; i++)
            {
                await cluster.AddSiloAsync(replicas);
            }

            if (silos > 0)
            {
                // None: the caller adds silos with options of its own (an empty cluster has no one to ask).
                await cluster.WaitForAsync(async () => (await cluster.StatusAsync()).Silos.Count(s => s.Status == "Active") == silos, $"{silos} active silos");
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A cluster on separate hosts: PostgreSQL already on its own node of <paramref name="lab"/>,
    /// one silo on each of <paramref name="nodes"/> (listening on that node's address).
    /// </summary>
    public static async Task<TestCluster> StartInLabAsync(PostgresServer postgres, NetworkLab lab, IReadOnlyList<string> nodes, int replicas = 2)
    {
        var cluster = new TestCluster(postgres, await postgres.CreateDatabaseAsync());
        try
        {
            foreach (string node in nodes)
            {
                await cluster.AddSiloAsync(replicas, lab: (lab, node));
            }

            await cluster.WaitForAsync(async () => (await cluster.StatusAsync()).Silos.Count(s => s.Status == "Active") == nodes.Count, $"{nodes.Count} active silos");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task<SiloProcess> AddSiloAsync(
        int? replicas = null, string? dataDirectory = null, IEnumerable<string>? extraArguments = null, (NetworkLab Lab, string Node)? lab = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (dataDirectory is null)
        {
            var directory = new TempDirectory();
            _directories.Add(directory);
            dataDirectory = directory.Path;
        }

        SiloProcess silo = lab is var (network, node)
            ? await SiloProcess.StartAsync(dataDirectory, Connection, replicas, extraArguments, listen: $"{network.AddressOf(node)}:0", environment: environment, networkNamespace: network.Namespace(node))
            : await SiloProcess.StartAsync(dataDirectory, Connection, replicas, extraArguments, environment: environment);
        Silos.Add(silo);
        return silo;
    }

    public string Token => Silos[0].Token;

    /// <summary>
    /// True once Orleans' membership table says <paramref name="silo"/>'s newest incarnation is Dead
    /// (status 6). Read from the table, not through a silo: a status call waits for a frozen silo.
    /// </summary>
    public async Task<bool> DeclaredDeadAsync(SiloProcess silo)
    {
        string database = Connection.Split(';').Single(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        string status = await _postgres.QueryAsync(database, $"SELECT Status FROM OrleansMembershipTable WHERE SiloName = '{silo.Ticket}' ORDER BY Generation DESC LIMIT 1");
        return status == "6";
    }

    public Task<BlobClient> ConnectAsync(SiloProcess silo) => BlobClient.ConnectAsync(silo.Ticket, Token);

    public async Task<ClusterStatus> StatusAsync(SiloProcess? through = null)
    {
        await using BlobClient client = await ConnectAsync(through ?? Running.First());
        return await client.ClusterStatusAsync();
    }

    /// <summary>The silos the cluster says hold <paramref name="hash"/>.</summary>
    public async Task<IReadOnlyList<SiloTicket>> LocateAsync(Blake3Hash hash, SiloProcess? through = null)
    {
        await using BlobClient client = await ConnectAsync(through ?? Running.First());
        return await client.LocateAsync(hash);
    }

    /// <summary>The silos holding each of <paramref name="hashes"/>, asked over one connection.</summary>
    public async Task<Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>>> LocateAllAsync(IEnumerable<Blake3Hash> hashes, SiloProcess? through = null)
    {
        await using BlobClient client = await ConnectAsync(through ?? Running.First());
        var located = new Dictionary<Blake3Hash, IReadOnlyList<SiloTicket>>();
        foreach (Blake3Hash hash in hashes)
        {
            located[hash] = await client.LocateAsync(hash);
        }

        return located;
    }

    /// <summary>
    /// Downloads each (blob, silo) copy from that silo, verified, and hands its bytes to
    /// <paramref name="check"/>; one connection per silo serves all of them (a connection per
    /// download made checking a few hundred copies take tens of seconds).
    /// </summary>
    public async Task CheckCopiesAsync(IEnumerable<(Blake3Hash Hash, SiloTicket Silo)> copies, Action<Blake3Hash, SiloTicket, byte[]> check)
    {
        var clients = new Dictionary<SiloTicket, BlobClient>();
        try
        {
            foreach ((Blake3Hash hash, SiloTicket silo) in copies)
            {
                if (!clients.TryGetValue(silo, out BlobClient? client))
                {
                    clients[silo] = client = await BlobClient.ConnectAsync(silo, Token);
                }

                check(hash, silo, await DownloadAsync(client, hash));
            }
        }
        finally
        {
            foreach (BlobClient client in clients.Values)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Downloads <paramref name="hash"/> through <paramref name="client"/>, verified.</summary>
    public static async Task<byte[]> DownloadAsync(BlobClient client, Blake3Hash hash)
    {
        var output = new MemoryStream();
        await client.GetToStreamAsync(hash, output);
        return output.ToArray();
    }

    /// <summary>Waits until every serving silo reports an empty repair backlog after at least one pass.</summary>
    public Task WaitForRepairAsync(TimeSpan? timeout = null) => WaitForAsync(async () =>
    {
        ClusterStatus status = await StatusAsync();
        return status.Silos.Where(s => s.Status == "Active").All(s => s.RepairBacklog == 0);
    }, "every silo's repair backlog is empty", timeout ?? TimeSpan.FromSeconds(60));

    public async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception error) when (error is IOException or Granary.Transport.QuicException or InvalidOperationException)
            {
                last = error;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"timed out waiting until {what} (last error: {last?.Message})\n{string.Join("\n---\n", Silos.Select(s => s.Log[Math.Max(0, s.Log.Length - 3000)..]))}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (SiloProcess silo in Silos)
        {
            await silo.DisposeAsync();
        }

        foreach (TempDirectory directory in _directories)
        {
            directory.Dispose();
        }
    }
}
