using System.Text;
using Granary.Hashing;

namespace Granary.Cli.Hashing;

/// <summary>
/// Runs <c>granary hash</c>: b3sum's behaviour and output, byte for byte, with clearer errors.
/// Every input is attempted; any failure makes the exit code 1.
/// </summary>
internal sealed class HashRunner
{
    private const string StdinName = "-";
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly TextWriter _stderr;

    public HashRunner(Stream stdin, Stream stdout, TextWriter stderr)
    {
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
    }

    public async Task<int> RunAsync(HashOptions options, CancellationToken cancellationToken)
    {
        byte[]? key = null;
        if (options.Keyed)
        {
            key = await ReadKeyAsync(cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return 1;
            }
        }

        IReadOnlyList<string> paths = options.Paths.Count == 0 ? [StdinName] : options.Paths;
        int threads = options.NoMmap ? 1 : options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        var output = new BufferedStream(_stdout, 64 * 1024);
        await using (output.ConfigureAwait(false))
        {
            bool ok = options.Check
                ? await CheckAllAsync(paths, options, threads, output, cancellationToken).ConfigureAwait(false)
                : await HashAllAsync(paths, options, key, threads, output, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ok ? 0 : 1;
        }
    }

    private async Task<bool> HashAllAsync(
        IReadOnlyList<string> paths, HashOptions options, byte[]? key, int threads, Stream output, CancellationToken cancellationToken)
    {
        bool ok = true;
        foreach (string path in paths)
        {
            Blake3Hasher? hasher = await TryHashAsync(path, options, key, threads, cancellationToken).ConfigureAwait(false);
            if (hasher is null)
            {
                ok = false;
                continue;
            }

            var reader = hasher.FinalizeXof();
            if (options.Raw)
            {
                await CopyOutputAsync(reader, options.Length, output, hex: false, cancellationToken).ConfigureAwait(false);
                continue;
            }

            bool escaped = !options.NoNames && ChecksumLine.NeedsEscape(path);
            if (escaped)
            {
                output.WriteByte((byte)'\\');
            }

            await CopyOutputAsync(reader, options.Length, output, hex: true, cancellationToken).ConfigureAwait(false);
            string suffix = options.NoNames ? "\n" : $"  {(escaped ? ChecksumLine.Escape(path) : path)}\n";
            await output.WriteAsync(Encoding.UTF8.GetBytes(suffix), cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    private async Task<bool> CheckAllAsync(
        IReadOnlyList<string> checkFiles, HashOptions options, int threads, Stream output, CancellationToken cancellationToken)
    {
        int failed = 0;
        int malformed = 0;
        foreach (string checkFile in checkFiles)
        {
            string[] lines;
            try
            {
                lines = checkFile == StdinName
                    ? (await new StreamReader(_stdin).ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Split('\n')
                    : await File.ReadAllLinesAsync(checkFile, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await ReportAsync(checkFile, ex).ConfigureAwait(false);
                malformed++;
                continue;
            }

            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length == 0)
                {
                    continue;
                }

                var entry = ChecksumLine.TryParse(lines[i], out string? problem);
                if (entry is not { } line)
                {
                    await _stderr.WriteLineAsync($"granary: {checkFile}:{i + 1}: {problem}").ConfigureAwait(false);
                    malformed++;
                    continue;
                }

                string verdict;
                try
                {
                    var hasher = new Blake3Hasher();
                    await HashInputAsync(hasher, line.Name, options, threads, cancellationToken).ConfigureAwait(false);
                    verdict = hasher.Finalize().ToString() == line.Hex ? "OK" : "FAILED";
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    verdict = $"FAILED ({Describe(line.Name, ex)})";
                }

                if (verdict != "OK")
                {
                    failed++;
                }

                if (verdict != "OK" || !options.Quiet)
                {
                    string shown = ChecksumLine.NeedsEscape(line.Name) ? $"\\{ChecksumLine.Escape(line.Name)}" : line.Name;
                    await output.WriteAsync(Encoding.UTF8.GetBytes($"{shown}: {verdict}\n"), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (failed > 0)
        {
            await _stderr.WriteLineAsync($"granary: WARNING: {failed} computed checksum{(failed == 1 ? string.Empty : "s")} did NOT match").ConfigureAwait(false);
        }

        if (malformed > 0)
        {
            await _stderr.WriteLineAsync($"granary: WARNING: {malformed} line{(malformed == 1 ? " was" : "s were")} not checked (see above)").ConfigureAwait(false);
        }

        return failed == 0 && malformed == 0;
    }

    private async Task<Blake3Hasher?> TryHashAsync(string path, HashOptions options, byte[]? key, int threads, CancellationToken cancellationToken)
    {
        var hasher = key is not null ? Blake3Hasher.NewKeyed(key)
            : options.DeriveKeyContext is not null ? Blake3Hasher.NewDeriveKey(options.DeriveKeyContext)
            : new Blake3Hasher();
        try
        {
            await HashInputAsync(hasher, path, options, threads, cancellationToken).ConfigureAwait(false);
            return hasher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await ReportAsync(path, ex).ConfigureAwait(false);
            return null;
        }
    }

    private async Task HashInputAsync(Blake3Hasher hasher, string path, HashOptions options, int threads, CancellationToken cancellationToken)
    {
        if (path == StdinName)
        {
            await hasher.UpdateAsync(_stdin, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await hasher.UpdateFromFileAsync(path, threads, allowMapping: !options.NoMmap, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CopyOutputAsync(Blake3OutputReader reader, ulong length, Stream output, bool hex, CancellationToken cancellationToken)
    {
        byte[] piece = new byte[(int)Math.Min(length, 32 * 1024)];
        byte[] text = hex ? new byte[piece.Length * 2] : [];
        for (ulong remaining = length; remaining > 0;)
        {
            int take = (int)Math.Min(remaining, (ulong)piece.Length);
            reader.Read(piece.AsSpan(0, take));
            if (hex)
            {
                Convert.TryToHexStringLower(piece.AsSpan(0, take), text, out int written);
                await output.WriteAsync(text.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await output.WriteAsync(piece.AsMemory(0, take), cancellationToken).ConfigureAwait(false);
            }

            remaining -= (ulong)take;
        }
    }

    private async Task<byte[]?> ReadKeyAsync(CancellationToken cancellationToken)
    {
        // Read one byte past the key so that a longer input is reported rather than truncated.
        byte[] key = new byte[33];
        int total = 0;
        int read;
        while (total < key.Length && (read = await _stdin.ReadAsync(key.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        if (total != 32)
        {
            await _stderr.WriteLineAsync(
                $"granary: --keyed expects exactly 32 key bytes on standard input; found {(total > 32 ? "more than 32" : total.ToString(System.Globalization.CultureInfo.InvariantCulture))}").ConfigureAwait(false);
            return null;
        }

        return key[..32];
    }

    private Task ReportAsync(string path, Exception error) => _stderr.WriteLineAsync($"granary: {path}: {Describe(path, error)}");

    private static string Describe(string path, Exception error) => error switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ when Directory.Exists(path) => "is a directory (hash the files inside it, e.g. find DIR -type f -exec granary hash {} +)",
        _ => error.Message,
    };
}
