using Microsoft.Extensions.Hosting;

namespace Granary.Cli.Silo;

/// <summary>
/// The silo host's lifetime: signals are the command line's (System.CommandLine cancels the
/// action on Ctrl-C and SIGTERM, and <see cref="SiloHost"/> then stops in order: QUIC first, then
/// Orleans). The default console lifetime would race it by stopping the host on its own.
/// </summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    /// <inheritdoc/>
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
