using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.Testing;

/// <summary>
/// A real PostgreSQL server for one test class: Debian's binaries, <c>initdb</c> into a temporary
/// directory (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// root), listening on a free port on 127.0.0.1 only, stopped and deleted on dispose.
/// </summary>
/// <remarks>fsync is off: these tests kill silos, never the database, and it keeps them fast.</remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "granary";
    private readonly TempDirectory _directory;
    private readonly string _bin;
    private readonly string _data;
    private int _databases;

    private PostgresServer(TempDirectory directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        _data = directory.File("data");
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Initialises and starts a server.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        string bin = FindBinaries();
        var directory = new TempDirectory();
        int port = FreePort();
        var server = new PostgresServer(directory, bin, port);
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
        await RunAsync("createdb", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, name]);
        return ConnectionString(name);
    }

    /// <summary>A connection string for database <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username={SuperUser};Database={database};Maximum Pool Size=20;Timeout=5";

    /// <summary>Runs SQL through psql and returns its unaligned output (for tests that inspect tables).</summary>
    public async Task<string> QueryAsync(string connectionDatabase, string sql)
    {
        ToolResult result = await RunAsync("psql", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", SuperUser, "-d", connectionDatabase, "-At", "-c", sql]);
        return result.StdoutText.Trim();
    }

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
        string options = string.Join(' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}", "-c listen_addresses=127.0.0.1", $"-c unix_socket_directories={_directory.Path}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c max_connections=300", "-c shared_buffers=64MB");
        await RunAsync("pg_ctl", ["-D", _data, "-l", _directory.File("server.log"), "-o", options, "-w", "-t", "60", "start"]);
    }

    private async Task<ToolResult> RunAsync(string tool, IEnumerable<string> arguments)
    {
        string program = Path.Combine(_bin, tool);
        ToolResult result = Environment.UserName == "root"
            ? await ExternalTool.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], workingDirectory: _directory.Path)
            : await ExternalTool.RunAsync(program, arguments, workingDirectory: _directory.Path);
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
