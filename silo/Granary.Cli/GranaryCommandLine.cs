using System.CommandLine;
using Granary.Cli.Hashing;

namespace Granary.Cli;

/// <summary>The <c>granary</c> command tree. Each subcommand lives in its own folder.</summary>
internal static class GranaryCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Granary: a content-addressed blob cluster. Run 'granary COMMAND --help' for a command's options.");
        root.Subcommands.Add(HashCommand.Create());
        return root;
    }
}
