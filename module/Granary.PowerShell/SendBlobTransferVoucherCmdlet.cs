using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Sends the other cluster a new voucher for a channel this cluster opened: a channel paused at its grant's quota goes on if the voucher is accepted.</para>
/// </summary>
/// <remarks>
/// Without it a channel that reached its quota (ResponderPaused, waiting for a voucher) could only
/// be cancelled from PowerShell; this is 'granary transfer voucher'.
/// </remarks>
[Cmdlet(VerbsCommunications.Send, "BlobTransferVoucher", SupportsShouldProcess = true, DefaultParameterSetName = GrantSet)]
[OutputType(typeof(ChannelReport))]
public sealed class SendBlobTransferVoucherCmdlet : TransferCmdlet
{
    private const string GrantSet = "Grant";
    private const string TokenSet = "PeerToken";

    /// <summary>Channels this cluster opened (their transfer id); reports bind by their Ref.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Ref")]
    [ValidateNotNullOrEmpty]
    [ChannelIdTransformation]
    public string[] Id { get; set; } = [];

    /// <summary>A file holding a new grant the other cluster issued for this cluster's silo.</summary>
    [Parameter(Mandatory = true, ParameterSetName = GrantSet)]
    [ValidateNotNullOrEmpty]
    public string Grant { get; set; } = string.Empty;

    /// <summary>Instead of a grant: a file holding the other cluster's admin token.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
    [ValidateNotNullOrEmpty]
    public string PeerTokenFile { get; set; } = string.Empty;

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        bool grant = ParameterSetName == GrantSet;
        string voucherFile = GetUnresolvedProviderPathFromPSPath(grant ? Grant : PeerTokenFile);
        string[] ids = Id;
        RunTransfer(Session, async (client, host) =>
        {
            // Read once, before any channel: a missing file stops the command, not each channel.
            Voucher voucher = ReadVoucher(voucherFile, grant);
            await EachChannelAsync(ids, host, async channel =>
            {
                if (await host.ShouldProcessAsync($"transfer channel {channel}", $"Send the other side a new voucher ({voucher.Type})").ConfigureAwait(false))
                {
                    OutputReport(await client.SendVoucherAsync(channel, voucher, host.CancellationToken).ConfigureAwait(false), host);
                }
            }).ConfigureAwait(false);
        });
    }
}
