using System.CommandLine;
using System.Globalization;
using Granary.Blobs.Client.Transfers;
using Granary.Blobs.Commands;
using Granary.Blobs.Protocol;
using Granary.Cli.Blobs;
using Granary.Hashing;
using Granary.Transfers.Channels;
using Granary.Transfers.Messages;
using Granary.Transfers.Vouchers;
using Granary.Transport;

namespace Granary.Cli.Transfers;

/// <summary>
/// <c>granary transfer push|pull|list|show|watch|pause|resume|restart|cancel|voucher</c> and
/// <c>granary grant</c>: transfer channels between clusters (go-data-transfer's model), run by this
/// cluster's silos and commanded through any of them.
/// </summary>
internal static class TransferCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Transfer();
        yield return Grant();
    }

    private static Command Transfer()
    {
        var silo = new Option<string?>("--silo") { Description = "A silo of this cluster (ticket). Default: GRANARY_SILO, then .granary/silo.ticket.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding this cluster's token. Default: GRANARY_TOKEN, then .granary/admin.token.", HelpName = "FILE" };
        var grant = new Option<string?>("--grant") { Description = "File holding the voucher that authorizes the channel: a grant the other cluster issued ('granary grant'), one line 'TYPE BASE64'.", HelpName = "FILE" };
        var peerToken = new Option<string?>("--peer-token-file") { Description = "Instead of a grant: a file holding the other cluster's admin token (for clusters you run both of).", HelpName = "FILE" };
        var keep = new Option<bool>("--keep-partial") { Description = "If the channel is cancelled or fails, keep what was verified as a partial blob (default: drop it)." };
        var wait = new Option<bool>("--wait") { Description = "Follow the channel until it ends, with progress; exit 0 if it completed, 1 if it failed or was cancelled." };
        var hash = new Argument<string>("HASH") { Description = "The blob or collection to move (64 hex digits)." };
        var channel = new Argument<string>("ID") { Description = "The channel: its transfer id as 'granary transfer list' shows it (INITIATOR/ID for one another node opened here)." };

        Command Start(string name, TransferDirection direction, string description)
        {
            var peers = new Option<string>(direction == TransferDirection.Pull ? "--from" : "--to")
            {
                Description = "The other cluster's silo (ticket); several, comma-separated, are tried in order.",
                HelpName = "TICKET[,TICKET…]",
                Required = true,
            };
            var paths = new Option<string[]>("--path")
            {
                Description = "Move only this entry of the collection: a file's path relative to the directory that was sent (e.g. 'logs/a.txt'), or a directory ending in '/' (matched exactly, case and all); repeat for more, up to 256 paths and 6 KiB in all. Default: the whole blob or collection.",
                HelpName = "PATH",
                AllowMultipleArgumentsPerToken = false,
            };
            var command = new Command(name, description) { hash, peers, grant, peerToken, paths, keep, wait, silo, tokenFile };
            command.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, async client =>
            {
                Blake3Hash @base = Blake3Hash.TryParse(parse.GetValue(hash)!, out Blake3Hash h) ? h
                    : throw new FormatException($"'{parse.GetValue(hash)}' is not a blob hash (64 hex digits).");
                IReadOnlyList<SiloTicket> tickets = [.. parse.GetValue(peers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SiloTicket.Parse)];
                Voucher voucher = ReadVoucher(parse.GetValue(grant), parse.GetValue(peerToken));
                ChannelReport report = await client.StartAsync(direction, tickets, @base, voucher, parse.GetValue(keep), parse.GetValue(paths) ?? [], ct).ConfigureAwait(false);
                Console.WriteLine($"channel {report.Ref}: {Describe(report)}");
                return parse.GetValue(wait) ? await FollowAsync(client, report.Ref, ct, started: report).ConfigureAwait(false) : Outcome(report, ended: false);
            }, ct));
            return command;
        }

        var list = new Command("list", "List the channels this cluster keeps (both sides), newest first.") { silo, tokenFile };
        list.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, async client =>
        {
            IReadOnlyList<ChannelReport> reports = await client.ListAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"{"ID",-20}  {"SIDE",-9}  {"DIR",-4}  {"STATUS",-16}  {"MOVED",14}  {"SIZE",14}  BASE");
            foreach (ChannelReport r in reports)
            {
                string id = r.Side == ChannelSide.Initiator ? r.Ref.ToString() : $"…/{r.State.Id.TransferId}";
                Console.WriteLine($"{id,-20}  {Side(r),-9}  {Word(r.State.Direction),-4}  {Status(r),-16}  {r.Moved,14}  {r.Terms.Size,14}  {r.State.Base}");
            }

            if (reports.Any(r => Status(r).EndsWith('*')))
            {
                Console.WriteLine(Disconnected);
            }

            return ExitCodes.Done;
        }, ct));

        var show = new Command("show", "Show one channel: status, bytes, vouchers and results, the other side.") { channel, silo, tokenFile };
        show.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(channel), silo, tokenFile, async client =>
        {
            ChannelReport r = await client.ShowAsync(ChannelRef.Parse(parse.GetValue(channel)!), ct).ConfigureAwait(false);
            Console.WriteLine($"channel:     {r.Ref}");
            Console.WriteLine($"side:        {Side(r)} ({Word(r.State.Direction)}; this side {(r.IsReceiver ? "receives" : "sends")})");
            Console.WriteLine($"status:      {Status(r)}{(Status(r).EndsWith('*') ? $"  ({Disconnected})" : string.Empty)}");
            Console.WriteLine($"message:     {r.State.Message}");
            Console.WriteLine($"base:        {r.State.Base}");
            if (r.State.Paths.Count > 0)
            {
                Console.WriteLine($"paths:       {string.Join(", ", r.State.Paths)}");
            }

            Console.WriteLine($"bytes:       sent {r.State.Sent}, received {r.State.Received}, of {r.Terms.Size}{(r.State.DataLimit is { } limit ? $" (data limit {limit})" : string.Empty)}");
            Console.WriteLine($"restarts:    {r.State.ConsecutiveRestarts} in a row");
            Console.WriteLine($"initiator:   {r.State.Id.Initiator}");
            Console.WriteLine($"responder:   {r.State.Id.Responder}");
            Console.WriteLine($"other side:  {string.Join(", ", r.Terms.Peers)}");
            Console.WriteLine($"vouchers:    {string.Join(", ", r.State.Vouchers.Select(v => v.Type))}");
            // Each restart validates the voucher again: the same answer in a row is one line, with its count.
            foreach (var run in Runs(r.State.VoucherResults))
            {
                Console.WriteLine($"  result:    {(run.Result.Accepted ? "accepted" : "refused")}: {run.Result.Message}{(run.Count > 1 ? $" (×{run.Count})" : string.Empty)}");
            }

            Console.WriteLine($"updated:     {r.State.Updated:u}");
            return ExitCodes.Done;
        }, ct));

        var optionalChannel = new Argument<string?>("ID") { Description = "The channel to follow; none: every channel's changes until Ctrl-C.", Arity = ArgumentArity.ZeroOrOne };
        var watch = new Command("watch", "Print a channel's events as they happen (each with the state after it) until it ends; without ID, every channel's changes.") { optionalChannel, silo, tokenFile };
        watch.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(optionalChannel), silo, tokenFile, async client =>
        {
            ChannelRef? which = parse.GetValue(optionalChannel) is { } text ? ChannelRef.Parse(text) : null;
            ChannelReport? last = null;
            await foreach (ChannelReport r in client.WatchAsync(which, ct).ConfigureAwait(false))
            {
                last = r;
                Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss}  {r.Ref,-20}  {(r.Event?.ToString() ?? "now"),-20}  {Status(r),-16}  {Progress(r)}{(r.State.Message.Length > 0 ? $"  {r.State.Message}" : string.Empty)}");
            }

            return last is null ? ExitCodes.Done : Outcome(last, ended: which is not null);
        }, ct));

        Command Control(string name, TransferCommand kind, string description)
        {
            var command = new Command(name, description) { channel, silo, tokenFile };
            command.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(channel), silo, tokenFile, async client =>
            {
                ChannelReport r = await client.CommandAsync(ChannelRef.Parse(parse.GetValue(channel)!), kind, ct).ConfigureAwait(false);
                Console.WriteLine($"channel {r.Ref}: {Describe(r)}");
                return ExitCodes.Done;
            }, ct));
            return command;
        }

        var voucherCommand = new Command("voucher", "Send the other side a new voucher for a channel this cluster opened (a channel paused at its data limit resumes if it is accepted).") { channel, grant, peerToken, silo, tokenFile };
        voucherCommand.SetAction((parse, ct) => RunAsync(parse, parse.GetValue(channel), silo, tokenFile, async client =>
        {
            Voucher voucher = ReadVoucher(parse.GetValue(grant), parse.GetValue(peerToken));
            ChannelReport r = await client.SendVoucherAsync(ChannelRef.Parse(parse.GetValue(channel)!), voucher, ct).ConfigureAwait(false);
            Console.WriteLine($"channel {r.Ref}: {Describe(r)}");
            return r.State.Status == ChannelStatus.Failed ? ExitCodes.Refused : ExitCodes.Done;
        }, ct));

        return new Command("transfer", "Move blobs and collections between clusters over transfer channels (push or pull under a voucher; pause, resume, restart, cancel from either side).")
        {
            Start("pull", TransferDirection.Pull, "Pull HASH from another cluster's silo into this cluster, under a grant that cluster issued for this silo's node id."),
            Start("push", TransferDirection.Push, "Push HASH from this cluster to another cluster's silo, under a grant that cluster issued for this silo's node id."),
            list, show, watch,
            Control("pause", TransferCommand.Pause, "Pause a channel from this side (bytes stop after the piece in flight)."),
            Control("resume", TransferCommand.Resume, "Resume a channel this side paused (a channel both sides paused needs both)."),
            Control("restart", TransferCommand.Restart, "Restart a channel after a crash or disconnect: it goes on from what the receiver verified."),
            Control("cancel", TransferCommand.Cancel, "Cancel a channel: both sides end Cancelled; the receiver drops its partial data unless it was started with --keep-partial."),
            voucherCommand,
        };
    }

    private static Command Grant()
    {
        var silo = new Option<string?>("--silo") { Description = "A silo of this cluster (ticket), which signs the grant with the cluster's grant key.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding this cluster's token.", HelpName = "FILE" };
        var peer = new Option<string>("--peer") { Description = "The node id allowed to use the grant: the other cluster's silo that will open the channel (its ticket's node id).", HelpName = "NODE", Required = true };
        var pull = new Option<bool>("--pull") { Description = "The peer may pull the hashes from this cluster." };
        var push = new Option<bool>("--push") { Description = "The peer may push the hashes into this cluster." };
        var hashes = new Argument<string[]>("HASH") { Description = "The blobs or collections allowed (1 to 256).", Arity = new ArgumentArity(1, Granary.Transfers.Vouchers.Grant.MaxHashes) };
        var quota = new Option<string>("--quota") { Description = "Bytes one channel may move under this grant (e.g. 10GiB); a channel over it pauses for a new voucher. The quota is per channel, not shared across channels.", HelpName = "SIZE", Required = true };
        var expires = new Option<string>("--expires") { Description = "How long the grant is valid (e.g. 1h, 7d). Default: 1d.", HelpName = "DURATION", DefaultValueFactory = _ => "1d" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the grant to FILE (mode 600) instead of standard output.", HelpName = "FILE" };
        var command = new Command("grant", "Issue a grant (a signed voucher) that lets another cluster's node push into or pull from this cluster.") { hashes, peer, pull, push, quota, expires, output, silo, tokenFile };
        command.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, async client =>
        {
            if (parse.GetValue(pull) == parse.GetValue(push))
            {
                throw new FormatException("say what the grant allows: --pull or --push (one of them).");
            }

            string peerText = parse.GetValue(peer)!;
            NodeId node = NodeId.TryParse(peerText, out NodeId n) ? n : peerText.StartsWith("granary:", StringComparison.Ordinal) ? SiloTicket.Parse(peerText).Node
                : throw new FormatException($"--peer '{peerText}' is not a node id (52 characters of a-z and 2-7) or a silo ticket.");
            IReadOnlyList<Blake3Hash> allowed = [.. parse.GetValue(hashes)!.Select(t => Blake3Hash.TryParse(t, out Blake3Hash h) ? h : throw new FormatException($"'{t}' is not a blob hash (64 hex digits)."))];
            if (!ByteSizes.TryParse(parse.GetValue(quota), "--quota", out long bytes, out string? problem))
            {
                throw new FormatException(problem);
            }

            if (!Durations.TryParse(parse.GetValue(expires), "--expires", out TimeSpan valid, out problem))
            {
                throw new FormatException(problem);
            }

            Voucher voucher = await client.IssueGrantAsync(node, parse.GetValue(pull) ? TransferDirection.Pull : TransferDirection.Push, allowed, bytes, DateTimeOffset.UtcNow + valid, ct).ConfigureAwait(false);
            string text = VoucherText.Format(voucher);
            if (parse.GetValue(output) is { } file)
            {
                // A grant is a credential: never through a link, never left readable by others.
                if (new FileInfo(file) is { Exists: true, LinkTarget: not null })
                {
                    throw new FormatException($"--output {file} is a symbolic link: write the grant to a plain file.");
                }

                File.Delete(file);
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // a grant is a credential
                }

                await using (var writer = new StreamWriter(new FileStream(file, create)))
                {
                    await writer.WriteLineAsync(text).ConfigureAwait(false);
                }

                await Console.Error.WriteLineAsync($"granary: grant written to {file}: {node} may {(parse.GetValue(pull) ? "pull" : "push")} {allowed.Count} hash(es), up to {bytes} bytes, until {DateTimeOffset.UtcNow + valid:u}").ConfigureAwait(false);
            }
            else
            {
                Console.WriteLine(text);
            }

            return ExitCodes.Done;
        }, ct));
        return command;
    }

    private static Task<int> RunAsync(System.CommandLine.ParseResult parse, Option<string?> siloOption, Option<string?> tokenOption, Func<TransferClient, Task<int>> work, CancellationToken cancellationToken) =>
        BlobCommands.RunClientAsync(parse, siloOption, tokenOption, TransferClient.ConnectAsync, work, cancellationToken);

    /// <summary>As <see cref="RunAsync(System.CommandLine.ParseResult, Option{string?}, Option{string?}, Func{TransferClient, Task{int}}, CancellationToken)"/>, for a command about <paramref name="channel"/> (as the user typed it; null for none): its failures are worded for that channel.</summary>
    private static Task<int> RunAsync(System.CommandLine.ParseResult parse, string? channel, Option<string?> siloOption, Option<string?> tokenOption, Func<TransferClient, Task<int>> work, CancellationToken cancellationToken) =>
        BlobCommands.RunClientAsync(parse, siloOption, tokenOption, TransferClient.ConnectAsync, work, cancellationToken, channel);

    /// <summary>
    /// Follows a channel to its end, one progress line per change on standard error; the exit code
    /// says how it ended. <paramref name="started"/>, the report a start command just printed, is
    /// not repeated as the first progress line.
    /// </summary>
    private static async Task<int> FollowAsync(TransferClient client, ChannelRef channel, CancellationToken cancellationToken, ChannelReport? started = null)
    {
        // On a terminal, byte counts rewrite one line (a progress bar of words); into a file or a
        // pipe, they are written at most every 5 s. A change of status or message is always a line.
        static string StateOf(ChannelReport r) => $"{Status(r)}{(r.State.Message.Length > 0 ? $"  {r.State.Message}" : string.Empty)}";
        static string LineOf(ChannelReport r) => $"granary: channel {r.Ref}: {Status(r)}  {Progress(r)}{(r.State.Message.Length > 0 ? $"  {r.State.Message}" : string.Empty)}";
        bool terminal = !Console.IsErrorRedirected;
        ChannelReport? last = null;
        string shown = started is null ? string.Empty : LineOf(started);
        string shownState = started is null ? string.Empty : StateOf(started);
        bool lineOpen = false;
        long writtenAt = started is null ? 0 : Environment.TickCount64;
        await foreach (ChannelReport r in client.WatchAsync(channel, cancellationToken).ConfigureAwait(false))
        {
            last = r;
            string state = StateOf(r);
            string line = LineOf(r);
            if (line == shown)
            {
                continue;
            }

            bool progressOnly = state == shownState;
            if (progressOnly && terminal)
            {
                await Console.Error.WriteAsync($"\r{line}\u001b[K").ConfigureAwait(false);
                (shown, lineOpen) = (line, true);
                continue;
            }

            if (progressOnly && Environment.TickCount64 - writtenAt < 5000)
            {
                continue;
            }

            bool limited = r.State.Status == ChannelStatus.ResponderPaused && r.State.DataLimit is { } limit && r.Moved >= limit;
            bool wasLimited = shownState.StartsWith(nameof(ChannelStatus.ResponderPaused), StringComparison.Ordinal);
            await Console.Error.WriteLineAsync($"{(lineOpen ? "\r" : string.Empty)}{line}{(lineOpen ? "\u001b[K" : string.Empty)}").ConfigureAwait(false);
            (shown, shownState, lineOpen, writtenAt) = (line, state, false, Environment.TickCount64);
            if (limited && !wasLimited && r.Side == ChannelSide.Initiator)
            {
                await Console.Error.WriteLineAsync($"granary: to go on, give it a new grant from the other cluster: granary transfer voucher {r.Ref} --grant FILE (this command keeps waiting; Ctrl-C leaves the channel as it is)").ConfigureAwait(false);
            }
        }

        if (lineOpen)
        {
            await Console.Error.WriteLineAsync().ConfigureAwait(false);
        }

        if (last is not null)
        {
            Console.WriteLine($"channel {last.Ref}: {Describe(last)}");
        }

        return last is null ? ExitCodes.Unavailable : Outcome(last, ended: true);
    }

    private static int Outcome(ChannelReport report, bool ended) => report.State.Status switch
    {
        ChannelStatus.Failed or ChannelStatus.Cancelled => ExitCodes.Refused,
        _ when ended && report.State.Status != ChannelStatus.Completed => ExitCodes.Unavailable,
        _ => ExitCodes.Done,
    };

    private static Voucher ReadVoucher(string? grantFile, string? peerTokenFile) => (grantFile, peerTokenFile) switch
    {
        ({ } file, null) => VoucherText.Parse(Granary.Blobs.Files.SmallFiles.ReadText(file, "--grant", 64 * 1024), file),
        (null, { } file) => TokenVoucherValidator.ToVoucher(Granary.Blobs.Files.SmallFiles.ReadText(file, "--peer-token-file", 64 * 1024).Trim()),
        (null, null) => throw new FormatException("the channel needs a voucher: --grant FILE (a grant the other cluster issued for this silo) or --peer-token-file FILE."),
        _ => throw new FormatException("give one voucher: --grant or --peer-token-file, not both."),
    };

    /// <summary>Consecutive equal voucher results, each once with how many times in a row.</summary>
    private static List<(VoucherResult Result, int Count)> Runs(IEnumerable<VoucherResult> results)
    {
        var runs = new List<(VoucherResult Result, int Count)>();
        foreach (VoucherResult result in results)
        {
            if (runs.Count > 0 && runs[^1].Result == result)
            {
                runs[^1] = (result, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((result, 1));
            }
        }

        return runs;
    }

    private static string Describe(ChannelReport r) =>
        $"{Status(r)}, {Progress(r)}{(r.State.Message.Length > 0 ? $" — {r.State.Message}" : string.Empty)}";

    /// <summary>What the '*' after a status means.</summary>
    private const string Disconnected = "* disconnected: the other side does not answer for now; the channel restarts by itself after a back-off";

    private static string Status(ChannelReport r) => r.State.IsDisconnected && !r.State.IsFinal ? $"{r.State.Status}*" : r.State.Status.ToString();

    private static string Progress(ChannelReport r)
    {
        long moved = r.Moved;
        return r.Terms.Size > 0
            ? $"{moved.ToString("N0", CultureInfo.InvariantCulture)} of {r.Terms.Size.ToString("N0", CultureInfo.InvariantCulture)} bytes ({100.0 * moved / r.Terms.Size:0.0}%)"
            : $"{moved.ToString("N0", CultureInfo.InvariantCulture)} bytes";
    }

    private static string Side(ChannelReport r) => r.Side == ChannelSide.Initiator ? "initiator" : "responder";

    private static string Word(TransferDirection direction) => direction == TransferDirection.Push ? "push" : "pull";
}
