using System.CommandLine;
using Granary.Cli.Blobs;
using Granary.Cli.Cluster;
using Granary.Cli.Hashing;
using Granary.Cli.Silo;

namespace Granary.Cli;

/// <summary>
/// The full <c>granary</c> command tree: the silo host and every client command. Each subcommand
/// lives in its own folder; <c>hash</c> lives in Granary.Cli.Core, which the NativeAOT launcher
/// shares.
/// </summary>
internal static class GranaryCommandLine
{
    /// <summary>Parses and runs; see <see cref="CommandLineRunner.RunAsync"/>.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        RootCommand root = Create(out Option<bool> version);
        return CommandLineRunner.RunAsync(root, version, args);
    }

    /// <summary>The command tree, and the --version option every command takes.</summary>
    internal static RootCommand Create(out Option<bool> version)
    {
        var root = new RootCommand(CommandLineRunner.RootDescription);
        root.Subcommands.Add(HashCommand.Create());
        root.Subcommands.Add(SiloCommand.Create());
        root.Subcommands.Add(ClusterCommands.Create());
        root.Subcommands.Add(ScrubCommand.Create());
        root.Subcommands.Add(Gossip.GossipCommands.Create());
        foreach (Command command in BlobCommands.Create().Concat(Transfers.TransferCommands.Create()))
        {
            root.Subcommands.Add(command);
        }

        version = CommandLineRunner.AddVersionOption(root);
        return root;
    }
}
