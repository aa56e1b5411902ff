using System.Runtime.InteropServices;
using Orleans.Runtime;

namespace Granary.Cli.Silo;

/// <summary>
/// Replaces Orleans' fatal-error handler (which fails fast with SIGABRT): when the cluster has
/// declared this silo dead — it was frozen or cut off past the death timeout — the silo must stop
/// at once, because other silos now own its grains, and say so with exit code 3, which operators
/// and supervisors can tell from a crash. Other fatal errors exit 1.
/// </summary>
internal sealed partial class DeclaredDeadHandler : IFatalErrorHandler
{
    /// <summary>The exit code of a silo the cluster declared dead.</summary>
    public const int DeclaredDeadExitCode = 3;

    /// <inheritdoc/>
    public bool IsUnexpected(Exception exception) => true;

    /// <inheritdoc/>
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        bool dead = context?.Contains("dead", StringComparison.OrdinalIgnoreCase) == true
            || exception?.Message.Contains("dead", StringComparison.OrdinalIgnoreCase) == true;
        string reason = context ?? exception?.Message ?? "a fatal error";

        // Written and flushed by hand: the console logger's queue would be lost by the exit below.
        Console.Error.WriteLine(dead
            ? $"crit: Stopping: this silo was declared dead by the cluster ({reason}); its grains now live elsewhere"
            : $"crit: Stopping on a fatal error: {reason}");
        Console.Error.Flush();
        Console.Out.Flush();

        // _exit, not Environment.Exit: the host's shutdown would keep serving stale activations while it waits.
        Exit(dead ? DeclaredDeadExitCode : 1);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
