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

        // argv as one block of NUL-terminated strings (argv[0] "granary", as the user typed it),
        // pinned once; the pointer array points into it.
        byte[][] argv = [[.. "granary"u8], .. raw];
        byte[] strings = new byte[argv.Sum(a => a.Length + 1)];
        byte** pointers = stackalloc byte*[argv.Length + 1];
        byte[] file = [.. Encoding.UTF8.GetBytes(path), 0];
        fixed (byte* block = strings)
        fixed (byte* name = file)
        {
            int offset = 0;
            for (int i = 0; i < argv.Length; i++)
            {
                argv[i].CopyTo(strings, offset);
                pointers[i] = block + offset;
                offset += argv[i].Length + 1;
            }

            pointers[argv.Length] = null;
            ExecV(name, pointers);
        }

        int errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine(errno == NoSuchFile
            ? $"granary: {path} is missing. This granary runs 'hash' itself and every other command through the full granary in host/ beside it; publish both again (./build.sh --target=Publish)."
            : $"granary: could not start {path}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        return errno == NoSuchFile ? 127 : 126;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int ExecV(byte* path, byte** argv);
}
