using System.Text;

namespace Granary.Cli;

/// <summary>
/// .NET decodes the command line as UTF-8 and replaces bytes it cannot decode with U+FFFD, which
/// loses file names that are not valid UTF-8 (legal on Linux). The kernel still has the bytes in
/// /proc/self/cmdline; this puts them back, escaped as <see cref="OsPath"/> describes.
/// </summary>
internal static class RawArguments
{
    /// <summary>
    /// <paramref name="args"/> with every argument that was not valid UTF-8 replaced by its exact
    /// bytes; unchanged when the raw command line is unavailable or does not line up with it.
    /// </summary>
    public static string[] Recover(string[] args)
    {
        if (!args.Any(a => a.Contains('\uFFFD', StringComparison.Ordinal)))
        {
            return args;
        }

        byte[]? commandLine = ReadCommandLine();
        return commandLine is null ? args : Recover(args, commandLine);
    }

    /// <summary>
    /// The program's last <paramref name="count"/> arguments exactly as the kernel holds them
    /// (what a process that re-executes itself must pass on); null when /proc is unavailable.
    /// </summary>
    public static IReadOnlyList<byte[]>? ReadLast(int count)
    {
        byte[]? commandLine = ReadCommandLine();
        if (commandLine is null)
        {
            return null;
        }

        List<byte[]> raw = Split(commandLine);
        return raw.Count < count ? null : raw[^count..];
    }

    private static byte[]? ReadCommandLine()
    {
        try
        {
            return File.ReadAllBytes("/proc/self/cmdline");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The same, for a given raw command line (NUL-terminated arguments, program first).</summary>
    internal static string[] Recover(string[] args, ReadOnlySpan<byte> commandLine)
    {
        List<byte[]> raw = Split(commandLine);

        // The program's own arguments are the last ones: 'dotnet granary.dll' and the apphost
        // differ only in what comes before them.
        if (raw.Count < args.Length)
        {
            return args;
        }

        var recovered = new string[args.Length];
        int offset = raw.Count - args.Length;
        for (int i = 0; i < args.Length; i++)
        {
            byte[] bytes = raw[offset + i];
            if (Encoding.UTF8.GetString(bytes) != args[i])
            {
                return args;
            }

            recovered[i] = OsPath.FromBytes(bytes);
        }

        return recovered;
    }

    /// <summary>NUL-terminated arguments, program first, as separate byte arrays.</summary>
    private static List<byte[]> Split(ReadOnlySpan<byte> commandLine)
    {
        // Every argument ends with a NUL: drop only the last one, so that a trailing "" survives.
        if (!commandLine.IsEmpty && commandLine[^1] == 0)
        {
            commandLine = commandLine[..^1];
        }

        var raw = new List<byte[]>();
        foreach (Range part in commandLine.Split((byte)0))
        {
            raw.Add(commandLine[part].ToArray());
        }

        return raw;
    }
}
