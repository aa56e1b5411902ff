namespace Granary.Cli;

/// <summary>
/// Common file errors in the CLI's own words: what happened and what to do. Exception messages
/// alone are the runtime's, which may be terse, and name neither the cause nor a remedy.
/// </summary>
internal static class IoErrorText
{
    private const int NoSuchFile = 2;
    private const int PermissionDenied = 13;
    private const int NotADirectory = 20;
    private const int IsADirectory = 21;
    private const int NoSpace = 28;
    private const int ReadOnlyFileSystem = 30;
    private const int NameTooLong = 36;
    private const int TooManyLinks = 40;
    private const int QuotaExceeded = 122;

    /// <summary>The Linux error number behind <paramref name="error"/>, when it is known.</summary>
    public static int? Errno(Exception error) => error switch
    {
        OsErrorException os => os.Errno,
        FileNotFoundException or DirectoryNotFoundException => NoSuchFile,
        PathTooLongException => NameTooLong,
        UnauthorizedAccessException => PermissionDenied,

        // On Linux the runtime puts the raw errno in HResult of the IOExceptions it does not map
        // to a more specific type; HRESULTs proper are negative.
        IOException io when io.HResult is > 0 and < 4096 => io.HResult,
        _ => null,
    };

    /// <summary>
    /// "what happened (what to do)", prefixed with the path when it is known: by
    /// <paramref name="path"/>, or by the exception. Otherwise the runtime's message follows, as it
    /// names the path.
    /// </summary>
    public static string Describe(Exception error, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        path ??= (error as OsErrorException)?.Path ?? (error as FileNotFoundException)?.FileName;
        string? words = Errno(error) switch
        {
            NoSuchFile => "no such file or directory (check the name and the current directory)",
            PermissionDenied => "permission denied (check the permissions, or run as a user who may access it)",
            NotADirectory => "a part of the path is a file, not a directory (check the path)",
            IsADirectory => "is a directory (name a file)",
            NoSpace => "no space left on the device (free some space, or write elsewhere, then try again)",
            ReadOnlyFileSystem => "the file system is read-only (write elsewhere)",
            NameTooLong => "the name is too long for the file system (use a shorter path)",
            TooManyLinks => "too many levels of symbolic links (a link points back to itself?)",
            QuotaExceeded => "disk quota exceeded (free some space or ask for a larger quota)",
            _ => null,
        };
        if (words is null)
        {
            return path is null ? error.Message : $"{OsPath.ToDisplay(path)}: {error.Message}";
        }

        return path is null ? $"{words}: {error.Message}" : $"{OsPath.ToDisplay(path)}: {words}";
    }

    /// <summary>
    /// Rust's display of an OS error, "TEXT (os error N)": b3sum prints it on standard output in
    /// <c>FAILED (...)</c> lines, so check mode must print exactly this.
    /// </summary>
    public static string AsRust(Exception error) =>
        Errno(error) is { } errno
            ? $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (os error {errno})"
            : error.Message;
}
