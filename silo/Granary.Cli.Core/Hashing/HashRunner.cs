using System.Text;
using Granary.Hashing;

namespace Granary.Cli.Hashing;

/// <summary>
/// Runs <c>granary hash</c>: b3sum 1.2.0's behaviour, standard output and exit codes, byte for byte,
/// with clearer errors. Every input is attempted; any failure makes the exit code 1.
/// </summary>
internal sealed class HashRunner
{
    private const string StdinName = "-";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
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
        options.Validate();
        byte[]? key = null;
        if (options.Keyed)
        {
            if (options.Paths.Count == 0)
            {
                // b3sum refuses too (exit 1): the key and the message cannot both come from standard input.
                await _stderr.WriteLineAsync("granary: --keyed reads the 32-byte key from standard input, so the message cannot come from there too: name the files to hash").ConfigureAwait(false);
                return 1;
            }

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
            if (key is not null && path == StdinName)
            {
                await _stderr.WriteLineAsync("granary: -: with --keyed, standard input holds the key, so it cannot also be hashed").ConfigureAwait(false);
                ok = false;
                continue;
            }

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

            // b3sum prints names as text: bytes that are not UTF-8 become U+FFFD.
            string shown = OsPath.ToDisplay(path);
            bool escaped = !options.NoNames && ChecksumLine.NeedsEscape(shown);
            if (escaped)
            {
                output.WriteByte((byte)'\\');
            }

            await CopyOutputAsync(reader, options.Length, output, hex: true, cancellationToken).ConfigureAwait(false);
            string suffix = options.NoNames ? "\n" : $"  {(escaped ? ChecksumLine.Escape(shown) : shown)}\n";
            await output.WriteAsync(Encoding.UTF8.GetBytes(suffix), cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }

    private async Task<bool> CheckAllAsync(
        IReadOnlyList<string> checkFiles, HashOptions options, int threads, Stream output, CancellationToken cancellationToken)
    {
        int failed = 0;
        int malformed = 0;
        bool completed = true;
        foreach (string checkFile in checkFiles)
        {
            byte[] content;
            try
            {
                content = await ReadAllAsync(checkFile, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // b3sum stops at a check file it cannot read: later check files are not checked either.
                await _stderr.WriteLineAsync($"granary: cannot read the check file {Describe(checkFile, ex)}; no further check files were read").ConfigureAwait(false);
                completed = false;
                break;
            }

            int lineNumber = 0;
            for (int start = 0; start < content.Length;)
            {
                // Lines end at '\n' only: a '\r' before it belongs to the name, as b3sum writes it.
                int end = Array.IndexOf(content, (byte)'\n', start);
                int next = end < 0 ? content.Length : end + 1;
                lineNumber++;
                string line;
                try
                {
                    line = StrictUtf8.GetString(content, start, (end < 0 ? content.Length : end) - start);
                }
                catch (DecoderFallbackException)
                {
                    // b3sum stops here too: a check file is UTF-8 text (names that are not UTF-8 are written as U+FFFD).
                    await _stderr.WriteLineAsync($"granary: {OsPath.ToDisplay(checkFile)}:{lineNumber}: not valid UTF-8 text; check files are UTF-8, so checking stops here").ConfigureAwait(false);
                    completed = false;
                    break;
                }

                start = next;
                var entry = ChecksumLine.TryParse(line, out string? problem);
                if (entry is not { } parsed)
                {
                    await _stderr.WriteLineAsync($"granary: {OsPath.ToDisplay(checkFile)}:{lineNumber}: {problem}").ConfigureAwait(false);
                    malformed++;
                    continue;
                }

                string verdict;
                try
                {
                    var hasher = new Blake3Hasher();
                    await HashInputAsync(hasher, parsed.Name, options, threads, cancellationToken).ConfigureAwait(false);
                    verdict = hasher.Finalize().ToString() == parsed.Hex ? "OK" : "FAILED";
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Standard output carries b3sum's exact words (scripts compare them); ours go to standard error.
                    verdict = $"FAILED ({IoErrorText.AsRust(ex)})";
                    await ReportAsync(parsed.Name, ex).ConfigureAwait(false);
                }

                if (verdict != "OK")
                {
                    failed++;
                }

                if (verdict != "OK" || !options.Quiet)
                {
                    await output.WriteAsync(Encoding.UTF8.GetBytes($"{parsed.Shown}: {verdict}\n"), cancellationToken).ConfigureAwait(false);
                }
            }

            if (!completed)
            {
                break;
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

        return completed && failed == 0 && malformed == 0;
    }

    private async Task<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        if (path == StdinName)
        {
            await _stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            FileStream file = NativeFile.OpenRead(path);
            await using (file.ConfigureAwait(false))
            {
                await file.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }

        return buffer.ToArray();
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
            return;
        }

        // Opened by its bytes: a name need not be valid UTF-8 (see OsPath).
        FileStream file = NativeFile.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            await hasher.UpdateFromFileAsync(file, threads, allowMapping: !options.NoMmap, cancellationToken).ConfigureAwait(false);
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

    private Task ReportAsync(string path, Exception error) => _stderr.WriteLineAsync($"granary: {Describe(path, error)}");

    private static string Describe(string path, Exception error) =>
        IoErrorText.Errno(error) == 21
            ? $"{OsPath.ToDisplay(path)}: is a directory (hash the files inside it, e.g. find DIR -type f -exec granary hash {{}} +)"
            : IoErrorText.Describe(error, path);
}
