using System.Management.Automation;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transport;

namespace Granary.PowerShell;

/// <summary>
/// <para type="synopsis">Issues a grant: a voucher, signed by this cluster, that lets another cluster's silo pull blobs from or push blobs into this cluster.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "BlobTransferGrant", SupportsShouldProcess = true, DefaultParameterSetName = PullSet)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class NewBlobTransferGrantCmdlet : TransferCmdlet
{
    private const string PullSet = "Pull";
    private const string PushSet = "Push";
    private readonly List<string> _hashes = [];

    /// <summary>The silo allowed to use the grant: the other cluster's silo that opens the channel, by node id or ticket.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Peer { get; set; } = string.Empty;

    /// <summary>The peer may pull the hashes from this cluster.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PullSet)]
    public SwitchParameter Pull { get; set; }

    /// <summary>The peer may push the hashes into this cluster.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PushSet)]
    public SwitchParameter Push { get; set; }

    /// <summary>The blobs or collections allowed (1 to 256, all of the pipeline's); blob objects bind by their Hash property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BlobHashCompleter))]
    public string[] Hash { get; set; } = [];

    /// <summary>Bytes one channel may move under the grant (per channel, not shared), such as 10GiB or 500MB; a channel over it pauses for a new voucher.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Quota { get; set; } = string.Empty;

    /// <summary>How long the grant is valid: '1h', '7d' or a TimeSpan. Default: 1 day.</summary>
    [Parameter]
    [TtlTransformation(Parameter = "-Expires")]
    public TimeSpan? Expires { get; set; }

    /// <summary>Write the grant to this file (mode 600: a grant is a credential) instead of outputting its text.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Replace an existing file at -Path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The session; default: the one Connect-GranaryCluster made.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GranarySessionCompleter))]
    public GranarySession? Session { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => _hashes.AddRange(Hash);

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        // One grant for all the hashes given or piped in: the other cluster gets one file.
        TransferDirection direction = Push ? TransferDirection.Push : TransferDirection.Pull;
        string? file = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
        TimeSpan valid = Expires ?? TimeSpan.FromDays(1);
        RunTransfer(Session, async (client, host) =>
        {
            NodeId node = ParsePeer(Peer);
            List<Blake3Hash> allowed = [.. _hashes.Select(GetBlobCommand.ParseBlob).Distinct()];
            if (allowed.Count > Granary.Transfers.Vouchers.Grant.MaxHashes)
            {
                throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, $"A grant allows at most {Granary.Transfers.Vouchers.Grant.MaxHashes} hashes, not {allowed.Count}: issue several, or grant a collection that holds them.", null));
            }

            if (!ByteSizes.TryParse(Quota, "-Quota", out long bytes, out string? problem))
            {
                throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, problem!, Quota));
            }

            if (file is not null && File.Exists(file) && !Force)
            {
                throw new GranaryCommandException(new(CommandErrorKind.LocalFile, $"'{file}' exists: use -Force to replace it, or another -Path.", file));
            }

            DateTimeOffset until = DateTimeOffset.UtcNow + valid;
            string what = $"{node} may {Word(direction)} {allowed.Count} hash(es), up to {bytes:N0} bytes, until {until:u}";
            if (!await host.ShouldProcessAsync(file ?? "the output", $"Issue a grant: {what}").ConfigureAwait(false))
            {
                return;
            }

            Voucher voucher = await client.IssueGrantAsync(node, direction, allowed, bytes, until, host.CancellationToken).ConfigureAwait(false);
            string text = VoucherText.Format(voucher);
            if (file is null)
            {
                host.Output(text);
                return;
            }

            var create = new FileStreamOptions { Mode = Force ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // a grant is a credential
            }

            await using (var writer = new StreamWriter(new FileStream(file, create)))
            {
                await writer.WriteLineAsync(text).ConfigureAwait(false);
            }

            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode applies to new files only: one replaced with -Force keeps its mode otherwise.
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            host.Verbose($"Grant written to {file}: {what}.");
            host.Output(new FileInfo(file));
        });
    }

    /// <summary>A node id, or the node id of a silo ticket (what the other cluster's silo prints).</summary>
    private static NodeId ParsePeer(string peer)
    {
        string text = peer.Trim();
        return NodeId.TryParse(text, out NodeId node) ? node
            : text.StartsWith("granary:", StringComparison.Ordinal) ? SiloTicketReader.Parse(text).Node
            : throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, $"-Peer '{peer}' is not a node id (52 characters of a-z and 2-7) or a silo ticket (granary:NODE@IP:PORT).", peer));
    }
}
