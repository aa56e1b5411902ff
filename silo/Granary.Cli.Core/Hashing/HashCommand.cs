using Microsoft.Win32.SafeHandles;
using System.CommandLine;

namespace Granary.Cli.Hashing;

/// <summary>
/// <c>granary hash</c>: BLAKE3 sums of files, with b3sum's options and output, so scripts written
/// for b3sum work unchanged.
/// </summary>
internal static class HashCommand
{
    /// <summary>128 + SIGPIPE: what a shell reports for b3sum when its reader leaves early.</summary>
    private const int BrokenPipeExitCode = 141;

    /// <summary>EPIPE: .NET reports the errno of a failed write as the exception's HResult on Linux.</summary>
    private const int BrokenPipeErrno = 32;

    /// <summary>The most threads --num-threads accepts.</summary>
    public const int MaxThreads = 1024;

    /// <summary>The command, with b3sum's options.</summary>
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Files to hash, or check files with --check. No file, or '-', reads standard input. Put '--' before names that start with '-'.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        // b3sum accepts any u64 length (it streams the output); so do we.
        Option<ulong> length = OptionValues.Integer("--length", ["-l"], 0UL, ulong.MaxValue, string.Empty);
        length.Description = "Output bytes per hash, before hex encoding (BLAKE3 output is extendable): 0 to 18446744073709551615.";
        length.DefaultValueFactory = _ => 32;
        length.HelpName = "LEN";

        // More threads than this only cost memory and start-up: 0 already means one per logical core.
        Option<int> threads = OptionValues.Integer("--num-threads", [], 0, MaxThreads, "(0 = one per logical core)");
        threads.Description = $"Most threads to use per file: 0 (the default) means one per logical core; at most {MaxThreads}.";
        threads.HelpName = "NUM";
        var keyed = new Option<bool>("--keyed") { Description = "Keyed mode: the 32-byte key is read raw from standard input, so name the files to hash ('-' cannot be one)." };
        var deriveKey = new Option<string>("--derive-key")
        {
            Description = "Key derivation mode with the given context string.",
            HelpName = "CONTEXT",
        };
        var noNames = new Option<bool>("--no-names") { Description = "Print only the hashes." };
        var raw = new Option<bool>("--raw") { Description = "Write the raw output bytes instead of hex; one input only." };
        var noMmap = new Option<bool>("--no-mmap") { Description = "Read files instead of mapping them (this also hashes on one thread)." };
        var check = new Option<bool>("--check", "-c") { Description = "Read '<hash>  <path>' lines from the FILEs and verify each path." };
        var quiet = new Option<bool>("--quiet") { Description = "With --check, print only the files that fail." };

        var command = new Command("hash", "Print or check BLAKE3 hashes, exactly as b3sum does.")
        {
            files, length, threads, keyed, deriveKey, noNames, raw, noMmap, check, quiet,
        };

        command.Validators.Add(result =>
        {
            // Only whether options were given: their values may have failed to parse (already an error).
            bool Has(Option option) => result.GetResult(option) is { Implicit: false };
            if (Has(keyed) && Has(deriveKey))
            {
                result.AddError("--keyed and --derive-key are two different modes; choose one.");
            }

            if (Has(raw) && (result.GetValue(files)?.Length ?? 0) > 1)
            {
                result.AddError("--raw writes bytes without names, so it takes one input only; hash the files one at a time.");
            }

            if (Has(check))
            {
                foreach (Option option in new Option[] { length, keyed, deriveKey, noNames, raw })
                {
                    if (Has(option))
                    {
                        result.AddError($"--check verifies default-mode 32-byte hashes and cannot be combined with {option.Name}.");
                    }
                }
            }
            else if (Has(quiet))
            {
                result.AddError("--quiet only applies to --check.");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new HashOptions
            {
                Paths = parse.GetValue(files) ?? [],
                Length = parse.GetValue(length),
                Threads = parse.GetValue(threads),
                Keyed = parse.GetValue(keyed),
                DeriveKeyContext = parse.GetValue(deriveKey),
                NoNames = parse.GetValue(noNames) || parse.GetValue(raw),
                Raw = parse.GetValue(raw),
                NoMmap = parse.GetValue(noMmap),
                Check = parse.GetValue(check),
                Quiet = parse.GetValue(quiet),
            };
            // On a pipe, not Console.OpenStandardOutput(): it swallows EPIPE, so `granary hash --length
            // HUGE | head` would run on forever after its reader left; a plain stream over fd 1 reports
            // it. On a file, the console stream: a FileStream writes at its own position (pwrite) and
            // would not move the offset that `{ granary hash a; echo b; } > f` shares.
            var pipe = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            Stream stdout = pipe.CanSeek ? Console.OpenStandardOutput() : pipe;
            if (pipe.CanSeek)
            {
                await pipe.DisposeAsync().ConfigureAwait(false);
            }

            await using (stdout.ConfigureAwait(false))
            {
                var runner = new HashRunner(Console.OpenStandardInput(), stdout, Console.Error);
                try
                {
                    return await runner.RunAsync(options, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException error) when (error.HResult == BrokenPipeErrno)
                {
                    // The reader is gone: stop quietly, with the status a shell gives a process b3sum-like
                    // tools leave on SIGPIPE (128 + 13).
                    return BrokenPipeExitCode;
                }
            }
        });
        return command;
    }
}
