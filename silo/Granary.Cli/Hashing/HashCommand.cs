using System.CommandLine;

namespace Granary.Cli.Hashing;

/// <summary>
/// <c>granary hash</c>: BLAKE3 sums of files, with b3sum's options and output, so scripts written
/// for b3sum work unchanged.
/// </summary>
internal static class HashCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Files to hash, or check files with --check. No file, or '-', reads standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var length = new Option<ulong>("--length", "-l")
        {
            Description = "Output bytes per hash, before hex encoding (BLAKE3 output is extendable).",
            DefaultValueFactory = _ => 32,
            HelpName = "LEN",
        };
        var threads = new Option<int>("--num-threads")
        {
            Description = "Most threads to use per file; 0 (the default) means one per logical core.",
            HelpName = "NUM",
        };
        var keyed = new Option<bool>("--keyed") { Description = "Keyed mode: the 32-byte key is read raw from standard input." };
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
            bool Has(Option option) => result.GetResult(option) is { Implicit: false };
            if (result.GetValue(threads) < 0)
            {
                result.AddError("--num-threads must be 0 (one per core) or a positive number of threads.");
            }

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
            var runner = new HashRunner(Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error);
            return await runner.RunAsync(options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
