using System.Runtime.InteropServices;

namespace Granary.Testing;

/// <summary>Sends POSIX signals to processes (.NET itself can only SIGKILL).</summary>
public static partial class UnixSignal
{
    /// <summary>SIGINT: what Ctrl-C sends.</summary>
    public const int Interrupt = 2;

    /// <summary>SIGTERM: stop gracefully.</summary>
    public const int Terminate = 15;

    /// <summary>SIGSTOP: freeze.</summary>
    public const int Stop = 19;

    /// <summary>SIGCONT: thaw.</summary>
    public const int Continue = 18;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>.</summary>
    /// <exception cref="InvalidOperationException">kill(2) failed (no such process, no permission).</exception>
    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
