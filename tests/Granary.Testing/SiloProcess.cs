using System.Diagnostics;
using System.Text;
using Granary.Blobs.Protocol;

namespace Granary.Testing;

/// <summary>A real <c>granary silo run</c> process in a cluster, with its log kept for failure messages.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SiloProcess(Process process, string dataDirectory, SiloTicket ticket)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Ticket = ticket;
    }

    /// <summary>Runs the <c>granary</c> CLI (the same build as the silos) to completion with <paramref name="arguments"/>.</summary>
    public static Task<ToolResult> CliAsync(IEnumerable<string> arguments, byte[]? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null) =>
        ExternalTool.RunAsync(Command[0], [.. Command.Skip(1), .. arguments], stdin, workingDirectory, timeout);

    /// <inheritdoc cref="CliAsync(IEnumerable{string}, byte[], string, TimeSpan?)"/>
    public static Task<ToolResult> CliAsync(params string[] arguments) => CliAsync((IEnumerable<string>)arguments);

    /// <summary>A <c>granary</c> CLI process to start (same build as <see cref="CliAsync(string[])"/>), its output redirected.</summary>
    public static ProcessStartInfo CliStartInfo(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        foreach (string argument in Command.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>The granary under test as a program and the arguments before its own: [<see cref="PublishedHost"/>] or [dotnet, <see cref="Dll"/>].</summary>
    public static IReadOnlyList<string> Command => PublishedHost is { } host ? [host] : [Dotnet, Dll];

    /// <summary>
    /// The published silo host (artifacts/bin/host/granary, ReadyToRun) when GRANARY_TEST_HOST names
    /// it, as build.cake's Test task does after publishing: what users run, and ~0.7 s of CPU less per
    /// silo start than JIT-compiling the build output, which the cluster tests pay ~150 times on two
    /// cores. Unset (a test run from an IDE or `dotnet test`): the build output through <c>dotnet</c>.
    /// </summary>
    public static readonly string? PublishedHost = Environment.GetEnvironmentVariable("GRANARY_TEST_HOST") is { Length: > 0 } host
        ? File.Exists(host) ? Path.GetFullPath(host) : throw new FileNotFoundException($"GRANARY_TEST_HOST names {host}, which does not exist: publish first (./build.sh --target=Publish) or unset it.", host)
        : null;

    /// <summary>The CLI's own build output (its native libraries sit beside it).</summary>
    public static readonly string Dll = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "silo", "Granary.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "linux-x64", "granary.dll"));

    private static readonly string Dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    public string DataDirectory { get; }

    public SiloTicket Ticket { get; }

    public string Token => File.ReadAllText(Path.Combine(DataDirectory, "admin.token")).Trim();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a silo on a free port of 127.0.0.1 and waits for its 'ready' line.</summary>
    /// <param name="dataDirectory">The silo's DATA directory.</param>
    /// <param name="cluster">The cluster's PostgreSQL connection string; null: a silo alone.</param>
    /// <param name="replicas">--replicas, if given.</param>
    /// <param name="extraArguments">More options for 'silo run' (e.g. --dashboard).</param>
    /// <param name="networkNamespace">Run it in this network namespace (a <see cref="NetworkLab"/> node); null: the test's own.</param>
    public static async Task<SiloProcess> StartAsync(
        string dataDirectory, string? cluster, int? replicas = null, IEnumerable<string>? extraArguments = null, string listen = "127.0.0.1:0",
        IReadOnlyDictionary<string, string>? environment = null, string? networkNamespace = null)
    {
        // In a lab node's namespace: 'ip netns exec' execs the silo, so the process is the silo itself (Kill, Freeze work as usual).
        IReadOnlyList<string> command = Command;
        var start = new ProcessStartInfo(networkNamespace is null ? command[0] : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (networkNamespace is not null)
        {
            foreach (string argument in new[] { "netns", "exec", networkNamespace, command[0] })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (string argument in (string[])[.. command.Skip(1), "silo", "run", "--data", dataDirectory, "--listen", listen])
        {
            start.ArgumentList.Add(argument);
        }

        if (cluster is not null)
        {
            start.ArgumentList.Add("--cluster");
            start.ArgumentList.Add(cluster);
        }

        if (replicas is { } r)
        {
            start.ArgumentList.Add("--replicas");
            start.ArgumentList.Add(r.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (string argument in extraArguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        string? ready;
        try
        {
            ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new InvalidOperationException($"the silo did not become ready in 60 s:\n{log}");
        }

        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"the silo did not start (exit {process.ExitCode}): {ready}\n{log}");
        }

        var silo = new SiloProcess(process, dataDirectory, SiloTicket.Parse(ready["ready ".Length..]));
        lock (log)
        {
            silo._log.Append(log);
        }

        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (silo._log)
                {
                    silo._log.AppendLine(e.Data);
                }
            }
        };
        return silo;
    }

    /// <summary>SIGKILL: no chance to leave the cluster or finish anything.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGSTOP: the process freezes (a partition, a GC pause, a stuck VM).</summary>
    public void Freeze() => Signal(19);

    /// <summary>SIGCONT.</summary>
    public void Thaw() => Signal(18);

    /// <summary>SIGTERM, as systemd or Ctrl-C stops a silo, and waits for it to exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        Signal(15);
        await WaitForExitAsync(timeout);
        return _process.ExitCode;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"silo {Ticket.Node} did not exit within {timeout.TotalSeconds} s:\n{Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Thaw();
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Signal(int signal) => UnixSignal.Send(_process.Id, signal);
}
