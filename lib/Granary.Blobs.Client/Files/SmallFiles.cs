using System.Text;

namespace Granary.Blobs.Files;

/// <summary>
/// Reads the small text files a user points at (a silo's ticket, a token), safely: only a regular
/// file (opened without blocking, so a FIFO or a device cannot hang the caller), and only up to a
/// bound (so /dev/zero or a wrong, huge file cannot exhaust memory).
/// </summary>
public static class SmallFiles
{
    /// <summary>The trimmed text of <paramref name="path"/>, at most <paramref name="maxBytes"/> bytes of UTF-8.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What it should hold, for messages ("ticket", "token").</param>
    /// <param name="maxBytes">The most it may hold.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">It is not a regular file, cannot be read, or is larger than <paramref name="maxBytes"/>; the message says which.</exception>
    public static string ReadText(string path, string what, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"There is no {what} file '{path}'.", path);
        }

        FileStream stream;
        try
        {
            stream = PosixFiles.OpenRegularFile(path);
        }
        catch (IOException error)
        {
            throw new IOException($"The {what} file '{path}' cannot be read: {error.Message}; a {what} file is a regular file of one line.", error);
        }

        using (stream)
        {
            byte[] buffer = new byte[maxBytes + 1];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return read > maxBytes
                ? throw new IOException($"The {what} file '{path}' is larger than {maxBytes:N0} bytes: a {what} file holds one line. Is it the right file?")
                : Encoding.UTF8.GetString(buffer, 0, read).Trim();
        }
    }
}
