using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Granary.Cli;

/// <summary>
/// Opens files by their exact bytes with open(2): .NET's own file APIs take text paths and cannot
/// name a file whose name is not valid UTF-8.
/// </summary>
internal static partial class NativeFile
{
    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;
    private const int IsADirectory = 21;

    /// <summary>Opens <paramref name="path"/> (see <see cref="OsPath"/>) for reading, unbuffered.</summary>
    /// <exception cref="OsErrorException">open(2) failed, or the path is a directory.</exception>
    public static FileStream OpenRead(string path)
    {
        byte[] name = [.. OsPath.ToBytes(path), 0];
        int fd = Open(name, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw new OsErrorException(Marshal.GetLastPInvokeError(), path);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // Opening a directory for reading succeeds on Linux; reading it fails with EISDIR, which
            // is what b3sum reports, so report that here, before any work.
            if ((File.GetAttributes(handle) & FileAttributes.Directory) != 0)
            {
                throw new OsErrorException(IsADirectory, path);
            }

            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte[] path, int flags);
}
