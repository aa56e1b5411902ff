using Granary.Cli;

return await GranaryCommandLine.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
