using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.Testing;

/// <summary>
/// A real PostgreSQL server for one test class: Debian's binaries, <c>initdb</c> into a temporary
/// directory (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// root), listening on a free port on 127.0.0.1 only — or, for multi-host tests, on a node of a
/// <see cref="NetworkLab"/> — stopped and deleted on dispose.
/// </summary>
/// <remarks>fsync is off: these tests kill silos, never the database, and it keeps them fast.</remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "granary";
    private readonly TempDirectory _directory;
    private readonly string _bin;
    private readonly string _data;
    private int _databases;

    private readonly string? _namespace;

    private PostgresServer(TempDirectory directory, string bin, int port, string host, string? networkNamespace)
    {
        _directory = directory;
        _bin = bin;
        _data = directory.File("data");
        Port = port;
        Host = host;
        _namespace = networkNamespace;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The address it listens on: 127.0.0.1, or its lab node's.</summary>
    public string Host { get; }

    /// <summary>Initialises and starts a server on 127.0.0.1.</summary>
    public static Task<PostgresServer> StartAsync() => StartAsync("127.0.0.1", null);

    /// <summary>Initialises and starts a server on <paramref name="node"/> of <paramref name="lab"/>, reachable from the lab's other nodes and the test.</summary>
    public static Task<PostgresServer> StartAsync(NetworkLab lab, string node)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return StartAsync(lab.AddressOf(node), lab.Namespace(node));
    }

    private static async Task<PostgresServer> StartAsync(string host, string? networkNamespace)
    {
        string bin = FindBinaries();
        var directory = new TempDirectory();
        int port = FreePort();
        var server = new PostgresServer(directory, bin, port, host, networkNamespace);
        try
        {
            await server.InitAndStartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = $"granary_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}";
        await RunAsync("createdb", ["-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, name]);
        return ConnectionString(name);
    }

    /// <summary>A connection string for database <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host={Host};Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SuperUser};Database={database};Maximum Pool Size=20;Timeout=5";

    /// <summary>Runs SQL through psql and returns its unaligned output (for tests that inspect tables).</summary>
    public async Task<string> QueryAsync(string connectionDatabase, string sql)
    {
        ToolResult result = await RunAsync("psql", ["-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, "-d", connectionDatabase, "-At", "-c", sql]);
        return result.StdoutText.Trim();
    }

    /// <summary>Stops the server at once (an outage: connections drop, nothing is flushed first).</summary>
    public Task StopAsync() => RunAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same address and port.</summary>
    public Task StartAgainAsync() => StartServerAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(_data))
        {
            try
            {
                await RunAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Not running (start failed); delete anyway.
            }
        }

        _directory.Dispose();
    }

    private async Task InitAndStartAsync()
    {
        if (Environment.UserName == "root")
        {
            // initdb refuses to run as root; the Debian package creates the postgres user.
            await ExternalTool.RunAsync("chown", ["-R", "postgres:postgres", _directory.Path]);
        }

        await RunAsync("initdb", ["-D", _data, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--no-instructions"]);
        if (_namespace is not null)
        {
            // On a lab's network the clients are other hosts: trust the lab's addresses too (initdb trusts only loopback).
            await File.AppendAllTextAsync(Path.Combine(_data, "pg_hba.conf"), "host all all 0.0.0.0/0 trust\n");
        }

        await StartServerAsync();
    }

    private async Task StartServerAsync()
    {
        string options = string.Join(' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}", $"-c listen_addresses={Host}", $"-c unix_socket_directories={_directory.Path}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300", "-c shared_buffers=64MB");
        // pg_ctl leaves the server running in the namespace it was started in: the lab node's, if any.
        await RunAsync("pg_ctl", ["-D", _data, "-l", _directory.File("server.log"), "-o", options, "-w", "-t", "60", "start"], _namespace);
    }

    private async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments, string? networkNamespace = null)
    {
        string program = Path.Combine(_bin, tool);
        string[] command = Environment.UserName == "root" ? ["runuser", "-u", "postgres", "--", program, .. arguments] : [program, .. arguments];
        if (networkNamespace is not null)
        {
            command = ["ip", "netns", "exec", networkNamespace, .. command];
        }

        ToolResult result = await ExternalTool.RunAsync(command[0], command[1..], workingDirectory: _directory.Path);
        if (result.ExitCode != 0)
        {
            string log = File.Exists(_directory.File("server.log")) ? File.ReadAllText(_directory.File("server.log")) : string.Empty;
            throw new InvalidOperationException($"{tool} failed ({result.ExitCode}): {result.Stderr}{result.StdoutText}\n{log}");
        }

        return result;
    }

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/initdb): run ./build.sh --target=Setup, or apt-get install postgresql.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
