using System.CommandLine;
using Granary.Cli;
using Granary.Cli.Hashing;

// 'granary hash' is timed against b3sum, start-up included, so it runs here, compiled ahead of
// time: no runtime to start and no kernel to JIT. Everything else needs the full host (Orleans
// needs the JIT), which replaces this process with the same arguments.
if (args.Length > 0 && args[0] == "hash")
{
    var root = new RootCommand(CommandLineRunner.RootDescription);
    root.Subcommands.Add(HashCommand.Create());
    Option<bool> version = CommandLineRunner.AddVersionOption(root);
    return await CommandLineRunner.RunAsync(root, version, args).ConfigureAwait(false);
}

return HostExecutable.Exec(args);
