using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;

namespace Granary.Cli;

/// <summary>
/// Parses and runs a <c>granary</c> command tree, the same way in both executables (the NativeAOT
/// launcher, which holds only <c>hash</c>, and the full host): usage errors go to standard error
/// with a pointer to the command's help, exceptions become one line and an exit code.
/// </summary>
internal static class CommandLineRunner
{
    /// <summary>The root command's description, the same in both executables.</summary>
    public const string RootDescription = "Granary: a content-addressed blob cluster. Run 'granary COMMAND --help' for a command's options.";

    /// <summary>Exit code for a command line that could not be understood.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure granary did not foresee: a bug, reported in one line.</summary>
    public const int InternalError = 70;

    /// <summary>Exit code for a command stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// How long Ctrl-C or SIGTERM waits for the command to finish cancelling before the process
    /// is ended anyway: a silo closes its QUIC connections (up to 10 s) and then leaves the
    /// Orleans cluster gracefully; client commands stop within a second.
    /// </summary>
    private static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the command; returns
    /// its exit code. <paramref name="version"/> is the option <see cref="AddVersionOption"/> added.
    /// Usage errors go to standard error with a pointer to the command's help, rather than the
    /// whole help text on standard output, so scripts' output stays clean.
    /// </summary>
    public static async Task<int> RunAsync(RootCommand root, Option<bool> version, string[] args)
    {
        // A file may be named '@something': b3sum hashes it, so no response files.
        ParseResult parse = root.Parse(RawArguments.Recover(args), new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.GetResult(version) is { Implicit: false })
        {
            // b3sum's format, "NAME VERSION", for 'granary --version' and 'granary hash --version' alike.
            await Console.Out.WriteLineAsync($"granary {Version}").ConfigureAwait(false);
            return 0;
        }

        var errors = parse.Errors.Select(e => e.Message).Concat(UnknownOptions(parse)).ToList();
        if (errors.Count == 0)
        {
            try
            {
                return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TerminationGrace }).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: what was verified stays (a download's PATH.partial), so say how to go on.
                await Console.Error.WriteLineAsync("granary: stopped before it finished; run the same command again to carry on (a download resumes from what it verified).").ConfigureAwait(false);
                return Interrupted;
            }
#pragma warning disable CA1031 // The process boundary: whatever escapes is reported in one line, not as a stack trace.
            catch (Exception error)
#pragma warning restore CA1031
            {
                bool trace = Environment.GetEnvironmentVariable("GRANARY_TRACE") is { Length: > 0 };
                await Console.Error.WriteLineAsync(error is IOException or UnauthorizedAccessException
                    ? $"granary: {IoErrorText.Describe(error)}"
                    : $"granary: unexpected error, a bug in granary: {error.Message} ({error.GetType().Name}). Please report it with the command line; GRANARY_TRACE=1 prints the details.").ConfigureAwait(false);
                if (trace)
                {
                    await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                return InternalError;
            }
        }

        foreach (string error in errors)
        {
            await Console.Error.WriteLineAsync($"granary: {error}").ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync(UsageHint(parse)).ConfigureAwait(false);
        return UsageError;
    }

    /// <summary>The version, as b3sum prints its own: without the build's source-revision suffix.</summary>
    internal static string Version
    {
        get
        {
            string version = typeof(CommandLineRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(CommandLineRunner).Assembly.GetName().Version?.ToString() ?? "0.0.0";
            int plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }

    /// <summary>
    /// "Run 'granary get --help' for usage.": the line every usage error ends with, whether the
    /// parser found it or the command did (a BLOB that is not a hash, a missing --token-file).
    /// </summary>
    internal static string UsageHint(ParseResult parse) => $"Run '{CommandPath(parse)} --help' for usage.";

    /// <summary>"granary silo run", say: the command the user ran, without its options.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult { Command: not RootCommand } command)
            {
                names.Insert(0, command.Command.Name);
            }
        }

        names.Insert(0, "granary");
        return string.Join(' ', names);
    }

    /// <summary>
    /// Replaces System.CommandLine's own --version (the bare version, on the root only) with
    /// b3sum's form, "granary X.Y.Z" for -V and --version on every command; returns the option.
    /// </summary>
    public static Option<bool> AddVersionOption(RootCommand root)
    {
        foreach (Option builtIn in root.Options.OfType<VersionOption>().ToList())
        {
            root.Options.Remove(builtIn);
        }

        var version = new Option<bool>("--version", "-V") { Description = "Print the version ('granary X.Y.Z') and exit.", Recursive = true };
        root.Options.Add(version);
        return version;
    }

    /// <summary>
    /// System.CommandLine gives a token that looks like an option but is none to the command's
    /// arguments, so '--bogus' would be taken as a file name. An argument starting with '-' (other
    /// than '-' itself) is an unknown option unless it comes after '--'.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse)
    {
        int endOfOptions = parse.Tokens.ToList().FindIndex(t => t.Type == TokenType.DoubleDash);
        foreach (Argument argument in parse.CommandResult.Command.Arguments)
        {
            foreach (Token token in parse.GetResult(argument)?.Tokens ?? [])
            {
                int position = parse.Tokens.ToList().FindIndex(t => ReferenceEquals(t, token));
                if (token.Value.Length > 1 && token.Value[0] == '-' && (endOfOptions < 0 || position < endOfOptions))
                {
                    yield return $"unknown option '{token.Value}'. To name a file that starts with '-', put '--' before it: {CommandPath(parse)} -- {token.Value}";
                }
            }
        }
    }
}
