using System.Management.Automation;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Opens a transfer channel that pulls a blob or collection from another cluster, or pushes one to it.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "BlobTransfer", SupportsShouldProcess = true, DefaultParameterSetName = PullGrantSet)]
[OutputType(typeof(ChannelReport))]
public sealed class StartBlobTransferCmdlet : TransferCmdlet
{
    private const string PullGrantSet = "PullGrant";
    private const string PullTokenSet = "PullToken";
    private const string PushGrantSet = "PushGrant";
    private const string PushTokenSet = "PushToken";

    /// <summary>Pull: this cluster receives the blob from the peer.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PullGrantSet)]
    [Parameter(Mandatory = true, ParameterSetName = PullTokenSet)]
    public SwitchParameter Pull { get; set; }

    /// <summary>Push: this cluster sends the blob (which it must hold) to the peer.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PushGrantSet)]
    [Parameter(Mandatory = true, ParameterSetName = PushTokenSet)]
    public SwitchParameter Push { get; set; }

    /// <summary>The blob or collection to move (64 hex digits or a blob ticket); blob objects bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BlobHashCompleter))]
    public string Hash { get; set; } = string.Empty;

    /// <summary>The other cluster's silos (tickets), tried in order.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[] Peer { get; set; } = [];

    /// <summary>A file holding the grant the other cluster issued for this cluster's silo (New-BlobTransferGrant, 'granary grant').</summary>
    [Parameter(Mandatory = true, ParameterSetName = PullGrantSet)]
    [Parameter(Mandatory = true, ParameterSetName = PushGrantSet)]
    [ValidateNotNullOrEmpty]
    public string Grant { get; set; } = string.Empty;

    /// <summary>Instead of a grant: a file holding the other cluster's admin token (for clusters you run both of).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PullTokenSet)]
    [Parameter(Mandatory = true, ParameterSetName = PushTokenSet)]
    [ValidateNotNullOrEmpty]
    public string PeerTokenFile { get; set; } = string.Empty;

    /// <summary>
    /// Only these entries of the collection: a file's path relative to the directory that was sent
    /// (e.g. 'logs/a.txt'), or a directory ending in '/'. Default: the whole blob or collection.
    /// The collection blob itself always moves.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] CollectionPath { get; set; } = [];

    /// <summary>If the channel fails or is cancelled, keep what the receiver verified as a partial blob (default: dropped).</summary>
    [Parameter]
    public SwitchParameter KeepPartial { get; set; }

    /// <summary>Follow the channel until it ends, with a progress bar, and output its final report.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        TransferDirection direction = Push ? TransferDirection.Push : TransferDirection.Pull;
        string voucherFile = GetUnresolvedProviderPathFromPSPath(ParameterSetName is PullGrantSet or PushGrantSet ? Grant : PeerTokenFile);
        RunTransfer(Session, async (client, host) =>
        {
            Blake3Hash @base = GetBlobCommand.ParseBlob(Hash);
            List<SiloTicket> peers = [.. Peer.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(SiloTicketReader.Parse)];
            Voucher voucher = ReadVoucher(voucherFile, grant: ParameterSetName is PullGrantSet or PushGrantSet);
            string action = direction == TransferDirection.Pull
                ? $"Pull into this cluster from {string.Join(", ", peers.Select(p => p.Node))}"
                : $"Push from this cluster to {string.Join(", ", peers.Select(p => p.Node))}";
            if (!await host.ShouldProcessAsync(@base.ToString(), action).ConfigureAwait(false))
            {
                return;
            }

            ChannelReport report = await client.StartAsync(direction, peers, @base, voucher, KeepPartial, CollectionPath, host.CancellationToken).ConfigureAwait(false);
            host.Verbose($"Channel {report.Ref}: {report.State.Status}.");
            if (report.State.IsDisconnected && !report.State.IsFinal)
            {
                // Not an error: the silo keeps the channel and tries again with a back-off.
                host.Warning($"Channel {report.Ref}: {report.State.Message} The silo keeps trying; Get-BlobTransfer shows it, Stop-BlobTransfer cancels it.");
            }

            if (Wait && !report.State.IsFinal)
            {
                report = await FollowAsync(client, report.Ref, report, host).ConfigureAwait(false);
            }

            OutputReport(report, host);
        });
    }
}
