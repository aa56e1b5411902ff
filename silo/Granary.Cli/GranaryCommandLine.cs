using System.CommandLine;
using Granary.Cli.Blobs;
using Granary.Cli.Cluster;
using Granary.Cli.Hashing;
using Granary.Cli.Silo;

namespace Granary.Cli;

/// <summary>The <c>granary</c> command tree. Each subcommand lives in its own folder.</summary>
internal static class GranaryCommandLine
{
    /// <summary>Exit code for a command line that could not be understood.</summary>
    public const int UsageError = 2;

    public static RootCommand Create()
    {
        var root = new RootCommand("Granary: a content-addressed blob cluster. Run 'granary COMMAND --help' for a command's options.");
        root.Subcommands.Add(HashCommand.Create());
        root.Subcommands.Add(SiloCommand.Create());
        root.Subcommands.Add(ClusterCommands.Create());
        foreach (Command command in BlobCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>
    /// Parses and runs. Usage errors go to standard error with a pointer to the command's help,
    /// rather than the whole help text on standard output, so scripts' output stays clean.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ParseResult parse = Create().Parse(args);
        if (parse.Errors.Count == 0)
        {
            return await parse.InvokeAsync().ConfigureAwait(false);
        }

        foreach (var error in parse.Errors)
        {
            await Console.Error.WriteLineAsync($"granary: {error.Message}").ConfigureAwait(false);
        }

        string command = string.Join(' ', parse.CommandResult.Command.Parents.OfType<Command>().Reverse().Skip(1)
            .Append(parse.CommandResult.Command).Select(c => c.Name).Where(n => n != parse.RootCommandResult.Command.Name));
        await Console.Error.WriteLineAsync($"Run 'granary {(command.Length > 0 ? command + " " : string.Empty)}--help' for usage.").ConfigureAwait(false);
        return UsageError;
    }
}
