using System.Runtime.InteropServices;

namespace Granary.Cli;

/// <summary>A system call failed: the error number and the name it was about.</summary>
internal sealed class OsErrorException : IOException
{
    /// <summary>Creates the exception; the message is the system's text for <paramref name="errno"/>.</summary>
    public OsErrorException(int errno, string path)
        : base(Marshal.GetPInvokeErrorMessage(errno), errno)
    {
        Errno = errno;
        Path = path;
    }

    /// <summary>The Linux error number (errno).</summary>
    public int Errno { get; }

    /// <summary>The name the call was about, as given (possibly holding raw bytes, see <see cref="OsPath"/>).</summary>
    public string Path { get; }
}
