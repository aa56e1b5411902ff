using System.Runtime.InteropServices;
using System.Text;

namespace Granary.Cli;

/// <summary>
/// The full granary (silo host and client commands, Granary.Cli), published into <c>host/</c>
/// beside the launcher. The launcher becomes it with execve(2), as git runs its <c>git-*</c>
/// commands: same process id, arguments, environment, standard streams and signals, so scripts and
/// service managers cannot tell the two apart.
/// </summary>
internal static unsafe partial class HostExecutable
{
    private const int NoSuchFile = 2;

    /// <summary>Where the host is: <c>host/granary</c> in the launcher's own (symlink-resolved) folder.</summary>
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "host", "granary");

    /// <summary>
    /// Replaces this process with the host, passing <paramref name="args"/> byte for byte (names
    /// that are not valid UTF-8 included). Returns only when that failed: then it has said why on
    /// standard error and the result is the shell's code, 127 (missing) or 126 (cannot run).
    /// </summary>
    public static int Exec(string[] args)
    {
        string path = Path;
        IReadOnlyList<byte[]> raw = RawArguments.ReadLast(args.Length) ?? [.. args.Select(a => Encoding.UTF8.GetBytes(a))];
        byte[][] argv = [Terminated("granary"u8), .. raw.Select(Terminated)];
        var handles = new GCHandle[argv.Length];
        try
        {
            byte** pointers = stackalloc byte*[argv.Length + 1];
            for (int i = 0; i < argv.Length; i++)
            {
                handles[i] = GCHandle.Alloc(argv[i], GCHandleType.Pinned);
                pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
            }

            pointers[argv.Length] = null;
            fixed (byte* file = Terminated(Encoding.UTF8.GetBytes(path)))
            {
                ExecV(file, pointers);
            }
        }
        finally
        {
            foreach (GCHandle handle in handles.Where(h => h.IsAllocated))
            {
                handle.Free();
            }
        }

        int errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine(errno == NoSuchFile
            ? $"granary: {path} is missing. This granary runs 'hash' itself and every other command through the full granary in host/ beside it; publish both again (./build.sh --target=Publish)."
            : $"granary: could not start {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        return errno == NoSuchFile ? 127 : 126;
    }

    private static byte[] Terminated(ReadOnlySpan<byte> text) => [.. text, 0];

    private static byte[] Terminated(byte[] text) => Terminated(text.AsSpan());

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int ExecV(byte* path, byte** argv);
}
