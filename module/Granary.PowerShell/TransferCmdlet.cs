using System.Management.Automation;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Commands;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;

namespace Granary.PowerShell;

/// <summary>
/// Base of the <c>*-BlobTransfer</c> cmdlets: a <see cref="TransferClient"/> to the session's silo,
/// errors about a channel in channel terms (a 404 is "no such channel", not "no such blob"), and
/// following a channel with Write-Progress until it ends. Each cmdlet declares its own parameters
/// (-Session too), as the other cmdlets do: what a cmdlet takes is read in its own file.
/// </summary>
public abstract class TransferCmdlet : GranaryCmdlet
{
    private static int _activities;

    /// <summary>
    /// One connection for the whole pipeline: Get-BlobTransfer | Stop-BlobTransfer calls
    /// ProcessRecord once per channel, and a QUIC handshake each would cost more than the command.
    /// </summary>
    private TransferClient? _client;

    /// <summary>Runs <paramref name="work"/> with a transfer client to the silo of <paramref name="explicitSession"/> (else the default session's), closed after.</summary>
    protected void RunTransfer(GranarySession? explicitSession, Func<TransferClient, ICommandHost, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        GranarySession session = ResolveSession(explicitSession);
        Run(async host =>
        {
            _client ??= await session.ConnectTransfersAsync(host.CancellationToken).ConfigureAwait(false);
            await work(_client, host).ConfigureAwait(false);
        });
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _client is { } client)
        {
            // Closing the connection needs no answer from the silo: let it finish in the background
            // rather than block the pipeline's disposal on it.
            _client = null;
            _ = client.DisposeAsync().AsTask();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Runs <paramref name="action"/> for each channel in <paramref name="ids"/>; a failure with one
    /// (no such channel, a command that does not apply now) is a non-terminating error about it, so
    /// the others still run. A wrong token or an unreachable silo stops them all.
    /// </summary>
    protected static async Task EachChannelAsync(IEnumerable<string> ids, ICommandHost host, Func<ChannelRef, Task> action)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(action);
        foreach (string id in ids)
        {
            host.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                await action(ChannelRef.Parse(id)).ConfigureAwait(false);
            }
            // An unreachable silo of this cluster stops them all; the silo answering that the
            // channel's other side is unreachable (503) concerns that channel only.
            catch (Exception error) when (ChannelError(error, id) is { Kind: not CommandErrorKind.Cancelled and not CommandErrorKind.Unauthorized } problem
                && (problem.Kind != CommandErrorKind.Unreachable || error is BlobProtocolException))
            {
                host.Report(problem);
            }
        }
    }

    /// <summary>The error for a failure about channel <paramref name="id"/> (<see cref="CommandErrors.FromChannel"/>).</summary>
    protected static CommandError? ChannelError(Exception error, string id) => CommandErrors.FromChannel(error, id);

    /// <summary>
    /// Follows <paramref name="channel"/> until it ends, with a progress bar (bytes this side moved of
    /// the channel's size); returns its last report, or <paramref name="start"/> if the watch gave none.
    /// </summary>
    protected static async Task<ChannelReport> FollowAsync(TransferClient client, ChannelRef channel, ChannelReport? start, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(host);
        int activity = Interlocked.Increment(ref _activities);
        ChannelReport? last = start;
        string activityName = $"Transfer channel {channel}";
        long shown = long.MinValue;
        ChannelStatus? shownStatus = null;
        await foreach (ChannelReport report in client.WatchAsync(channel, host.CancellationToken).ConfigureAwait(false))
        {
            last = report;

            // A watch has one event per piece: Write-Progress is not free, so at most ten a second,
            // and at once when the status changes (a pause shows when it happens).
            long now = Environment.TickCount64;
            if (now - shown >= 100 || report.State.Status != shownStatus)
            {
                (shown, shownStatus) = (now, report.State.Status);
                host.Progress(new TransferProgress(activity, $"{activityName} ({Word(report.State.Direction)})", $"{report.State.Base} {report.State.Status}", report.Moved, report.Terms.Size));
            }
        }

        // The watch ends when the channel is final; a report of none means it was final already.
        last ??= await client.ShowAsync(channel, host.CancellationToken).ConfigureAwait(false);
        host.Progress(new TransferProgress(activity, activityName, last.State.Base.ToString(), last.Moved, last.Terms.Size, Completed: true));
        return last;
    }

    /// <summary>Outputs <paramref name="report"/>; a Failed or Cancelled channel is also a non-terminating error with the channel's message.</summary>
    protected static void OutputReport(ChannelReport report, ICommandHost host)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(host);
        host.Output(report);
        string why = report.State.Message.Length > 0 ? report.State.Message : "no reason given";
        switch (report.State.Status)
        {
            case ChannelStatus.Failed:
                host.Report(new CommandError(CommandErrorKind.Refused, $"Transfer channel {report.Ref} failed: {why}", report) { Reason = $"channel {report.Ref} failed: {why}" });
                break;
            case ChannelStatus.Cancelled:
                host.Report(new CommandError(CommandErrorKind.Cancelled, $"Transfer channel {report.Ref} was cancelled: {why}", report) { Reason = $"channel {report.Ref} was cancelled: {why}" });
                break;
        }
    }

    /// <summary>The voucher in <paramref name="path"/>: a grant's one line (<paramref name="grant"/>), or the other cluster's token.</summary>
    protected static Voucher ReadVoucher(string path, bool grant)
    {
        string what = grant ? "grant" : "token";
        string text;
        try
        {
            text = SmallFiles.ReadText(path, what, 64 * 1024);
        }
        catch (FileNotFoundException error)
        {
            throw new GranaryCommandException(new(CommandErrorKind.NotFound,
                grant ? $"There is no grant file '{path}'. The other cluster issues one with New-BlobTransferGrant (or 'granary grant') for this silo's node id." : $"There is no token file '{path}'.",
                path, error));
        }
        catch (IOException error)
        {
            throw new GranaryCommandException(new(CommandErrorKind.InvalidArgument, error.Message, path, error));
        }

        return grant ? VoucherText.Parse(text, path) : TokenVoucherValidator.ToVoucher(text.Trim());
    }

    /// <summary>"pull" or "push", as the CLI and the help say it.</summary>
    protected static string Word(TransferDirection direction) => direction == TransferDirection.Push ? "push" : "pull";
}
