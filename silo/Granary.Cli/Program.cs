using Granary.Cli;

return await GranaryCommandLine.RunAsync(args).ConfigureAwait(false);
