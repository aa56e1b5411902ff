using Granary.Blobs.Commands;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// Base of Suspend-, Resume-, Restart- and Stop-BlobTransfer: one <see cref="TransferCommand"/>
/// for each channel named or piped in, asked first (-WhatIf, -Confirm), the channel's report after.
/// The parameters are declared by each cmdlet, as everywhere in the module.
/// </summary>
public abstract class ChannelCommandCmdlet : TransferCmdlet
{
    /// <summary>What this cmdlet tells the channel.</summary>
    private protected abstract TransferCommand Command { get; }

    /// <summary>The action -WhatIf and -Confirm name.</summary>
    private protected abstract string Action { get; }

    /// <summary>Sends <see cref="Command"/> to each of <paramref name="ids"/> that the user confirms.</summary>
    private protected void Send(string[] ids, GranarySession? session)
    {
        RunTransfer(session, (client, host) => EachChannelAsync(ids, host, async channel =>
        {
            if (await host.ShouldProcessAsync($"transfer channel {channel}", Action).ConfigureAwait(false))
            {
                ChannelReport report = await client.CommandAsync(channel, Command, host.CancellationToken).ConfigureAwait(false);
                host.Verbose($"Channel {report.Ref}: {report.State.Status}.");
                host.Output(report);
            }
        }));
    }
}
