using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Granary.Blobs.Client;
using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Commands;
using Granary.Blobs.Files;
using Granary.Blobs.Protocol;
using Granary.Cli.Gossip;
using Granary.Hashing;
using Granary.Storage.Blobs;

namespace Granary.Cli.Blobs;

/// <summary>
/// <c>granary send | get | serve | info | extend | rm</c>: the client side of the blobs protocol
/// (<c>serve</c> and <c>get --seed</c> share blobs with the cluster's other downloaders).
/// Exit codes: 0 done; 1 the silo refused (not found, expired, …) or data failed verification;
/// 2 bad command line; 3 cannot reach or authenticate to the silo; 4 local file error.
/// </summary>
internal static class BlobCommands
{
    public static IEnumerable<Command> Create()
    {
        var silo = new Option<string?>("--silo", "--to", "--from") { Description = "Silo ticket (granary:<node>@<ip>:<port>). Default: GRANARY_SILO, then .granary/silo.ticket.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the silo's token. Default: the token itself in GRANARY_TOKEN (its text, not a file name), then .granary/admin.token.", HelpName = "FILE" };
        var ttl = new Option<string?>("--ttl") { Description = "How long the silo keeps the blob: a number and a unit (s, m, h, d), e.g. 30s, 10m, 12h, 7d; 1s to 36500d (default: the silo's).", HelpName = "DURATION" };
        ttl.Validators.Add(ValidateTtl);

        var path = new Argument<string>("PATH") { Description = "The file to upload, or a directory (uploaded as a collection)." };
        var tag = new Option<string[]>("--tag") { Description = "A label kept with the blob, KEY=VALUE; repeatable.", HelpName = "KEY=VALUE" };
        var followLinks = new Option<bool>("--follow-links", "-L")
        {
            Description = "In a directory, follow every symbolic link, also those leading out of it. Default: follow only links to something inside the directory; "
                + "others, dangling links, link loops, FIFOs, sockets and devices are left out with a warning each (exit code 4 when anything was left out).",
        };
        var send = new Command("send", "Upload a file or a directory; prints '<hash> <blob-ticket>'.") { path, silo, tokenFile, ttl, tag, followLinks };
        send.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, null, async (client, ticket) =>
        {
            string source = parse.GetValue(path)!;
            DateTimeOffset askedAt = DateTimeOffset.UtcNow;
            BlobInfo blob;
            IReadOnlyList<SkippedEntry> skipped = [];

            // In a cluster each blob goes to a silo it belongs on (hashed first; see BlobUploader).
            string token = ResolveToken(parse.GetValue(tokenFile));
            await using var uploader = new BlobUploader(client, (other, cancel) => BlobClient.ConnectAsync(other, token, cancel))
            {
                // On its own line, over the progress bar (which starts again below it).
                Notice = text => Console.Error.WriteLine($"\rgranary: note: {text}"),
            };
            if (Directory.Exists(source))
            {
                DirectoryTree tree = DirectoryTree.Scan(source, parse.GetValue(followLinks), ct);
                using var bar = new ProgressBar(tree.TotalBytes);
                DirectoryUpload upload = await uploader.PutDirectoryAsync(tree, ParseTtl(parse.GetValue(ttl)), bar, ct).ConfigureAwait(false);
                bar.Done();
                (blob, skipped) = (upload.Collection, upload.Skipped);
            }
            else
            {
                using var bar = new ProgressBar(new FileInfo(source).Length);
                blob = await uploader.PutFileAsync(source, ParseTtl(parse.GetValue(ttl)), bar, ParseTags(parse.GetValue(tag)), ct).ConfigureAwait(false);
                bar.Done();
            }

            Console.WriteLine($"{blob.Hash} {new BlobTicket(ticket, blob.Hash)}");
            WarnIfShortened(ParseTtl(parse.GetValue(ttl)), askedAt, blob);
            foreach (SkippedEntry entry in skipped)
            {
                Console.Error.WriteLine($"granary: warning: left out {entry}");
            }

            if (skipped.Count > 0)
            {
                // The collection holds the rest; a script must still see that the tree did not go whole (exit 4).
                throw new IOException($"{skipped.Count} entr{(skipped.Count == 1 ? "y was" : "ies were")} left out of {source} (see the warnings above); the collection printed holds the rest.");
            }
        }, ct));

        var target = new Argument<string>("BLOB") { Description = "A blob ticket, or a hash (of a blob on the silo given by --from, GRANARY_SILO or .granary/silo.ticket)." };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the blob (a directory, for a collection). An existing file is not replaced (exit 4, nothing written) unless --force; "
                + "an interrupted file download resumes from PATH.partial.",
            Required = true,
            HelpName = "PATH",
        };
        output.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--output (-o) needs a path: the file to write (or the directory, for a collection).");
            }
        });
        var more = new Option<string[]>("--also-from") { Description = "More silos holding the blob: the download is split across all of them, and survives any that fail.", HelpName = "TICKET", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force", "-f") { Description = "Replace existing files: the -o file, or files of a collection that exist with other content." };
        var swarm = new Option<bool>("--swarm") { Description = "Also ask the blob's provider topic (gossip) who has it, and download from the seeders that answer as well as the silos; every byte is verified, so a lying seeder only costs time." };
        var swarmWait = new Option<string>("--swarm-wait") { Description = "With --swarm: how long to collect answers before the download starts, in whole seconds (1s, 3s).", HelpName = "DURATION", DefaultValueFactory = _ => "1s" };
        swarmWait.Validators.Add(result =>
        {
            if (!Durations.TryParse(result.GetValueOrDefault<string>(), "--swarm-wait", out _, out string? problem))
            {
                result.AddError(problem!);
            }
        });
        var seed = new Option<bool>("--seed") { Description = "After the download, keep serving the file to other downloaders (as 'granary serve' does) until Ctrl-C." };
        var seedListen = SeedListenOption();
        var seedData = SeedDataOption();
        var get = new Command("get", "Download a blob or a collection, verifying every block; prints '<hash>  <path>'.") { target, silo, tokenFile, output, more, force, swarm, swarmWait, seed, seedListen, seedData };
        get.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, parse.GetValue(target), async (client, _) =>
        {
            Blake3Hash hash = GetBlobCommand.ParseBlob(parse.GetValue(target)!);
            string token = ResolveToken(parse.GetValue(tokenFile));

            IReadOnlyList<SiloTicket> seeders = [];
            if (parse.GetValue(swarm))
            {
                TimeSpan wait = Durations.TryParse(parse.GetValue(swarmWait), "--swarm-wait", out TimeSpan w, out string? problem) ? w : throw new FormatException(problem);
                await using GossipClient gossip = await GossipClient.ConnectAsync(client.Silo, token, ct).ConfigureAwait(false);
                IReadOnlyList<SiloTicket> answered = await ProviderDiscovery.FindAsync(gossip, hash, wait, ct).ConfigureAwait(false);
                seeders = await ProviderDiscovery.ReachableAsync(answered, (other, cancel) => BlobClient.ConnectAsync(other, token, cancel), TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
                Console.Error.WriteLine(answered.Count == 0 ? "granary: no seeder answered on the swarm" : $"granary: {seeders.Count} seeder(s) answered and could be reached: {string.Join(", ", seeders)}");
                foreach (SiloTicket away in answered.Except(seeders))
                {
                    Console.Error.WriteLine($"granary: skipping seeder {away}: no connection within 3 s");
                }
            }

            // In a cluster the blob may live on other silos than the one asked: the fetcher uses every replica.
            var fetcher = new BlobFetcher(client, (other, cancel) => BlobClient.ConnectAsync(other, token, cancel))
            {
                ExtraProviders = [.. (parse.GetValue(more) ?? []).Select(SiloTicket.Parse), .. seeders],
            };
            FetchPlan plan = await fetcher.PlanAsync(hash, ct).ConfigureAwait(false);
            await using (plan.ConfigureAwait(false))
            {
                if (parse.GetValue(seed) && plan.Collection is not null)
                {
                    // Said before anything is downloaded, not after.
                    throw new FormatException($"--seed serves a file; {hash} is a collection: download it without --seed, then share its files with 'granary serve'");
                }

                foreach (var (other, reason) in plan.Skipped)
                {
                    Console.Error.WriteLine($"granary: skipping {other}: {reason}");
                }

                using var bar = new ProgressBar(plan.TotalBytes);
                FetchResult result = await plan.DownloadAsync(Path.GetFullPath(parse.GetValue(output)!), parse.GetValue(force), bar, ct).ConfigureAwait(false);
                bar.Done();
                Warn(result.Warnings);
                foreach (var (other, reason) in result.Dropped)
                {
                    Console.Error.WriteLine($"granary: dropped {other}: {reason}");
                }

                if (result.BytesByProvider.Count > 1 || parse.GetValue(swarm))
                {
                    foreach (var (other, bytes) in result.BytesByProvider.OrderByDescending(p => p.Value))
                    {
                        Console.Error.WriteLine($"granary: {bytes} bytes from {other}{(seeders.Any(s => s.Node == other.Node) ? " (seeder)" : string.Empty)}");
                    }
                }
            }

            Console.WriteLine($"{hash}  {parse.GetValue(output)}");
            if (parse.GetValue(seed))
            {
                string path = Path.GetFullPath(parse.GetValue(output)!);
                await using GossipClient gossip = await GossipClient.ConnectAsync(client.Silo, token, ct).ConfigureAwait(false);
                await Seeder.RunAsync([path], parse.GetValue(seedData)!, IPEndPoint.Parse(parse.GetValue(seedListen)!), gossip, token, ct).ConfigureAwait(false);
            }
        }, ct));

        var serveFiles = new Argument<string[]>("FILE") { Description = "Files to share (each is one blob).", Arity = ArgumentArity.OneOrMore };
        var serve = new Command("serve", "Share files with the cluster's downloaders: store them here, serve them read-only over QUIC, and answer their provider topics (for 'granary get --swarm') until Ctrl-C. Prints 'seeding <hash>  <file>  at <ticket>'.") { serveFiles, silo, tokenFile, seedListen, seedData };
        serve.SetAction((parse, ct) => RunClientAsync(parse, silo, tokenFile, GossipClient.ConnectAsync, gossip =>
            Seeder.RunAsync([.. parse.GetValue(serveFiles)!.Select(Path.GetFullPath)], parse.GetValue(seedData)!, IPEndPoint.Parse(parse.GetValue(seedListen)!), gossip, ResolveToken(parse.GetValue(tokenFile)), ct), ct));

        var infoTarget = new Argument<string>("BLOB") { Description = "A blob ticket, or a hash." };
        var info = new Command("info", "Show a blob's size and lifetime.") { infoTarget, silo, tokenFile };
        info.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, parse.GetValue(infoTarget), async (client, _) =>
            Print(await client.InfoAsync(GetBlobCommand.ParseBlob(parse.GetValue(infoTarget)!), ct).ConfigureAwait(false)), ct));

        var extendTarget = new Argument<string>("BLOB") { Description = "A blob ticket, or a hash." };
        var extendTtl = new Option<string>("--ttl") { Description = "Keep the blob at least this long from now: a number and a unit (s, m, h, d), e.g. 30s, 10m, 12h, 7d; 1s to 36500d.", Required = true, HelpName = "DURATION" };
        extendTtl.Validators.Add(ValidateTtl);
        var extend = new Command("extend", "Keep a blob longer (expiry never moves earlier).") { extendTarget, silo, tokenFile, extendTtl };
        extend.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, parse.GetValue(extendTarget), async (client, _) =>
        {
            DateTimeOffset askedAt = DateTimeOffset.UtcNow;
            TimeSpan asked = ParseTtl(parse.GetValue(extendTtl))!.Value;
            BlobInfo blob = await client.ExtendAsync(GetBlobCommand.ParseBlob(parse.GetValue(extendTarget)!), asked, ct).ConfigureAwait(false);
            Print(blob);
            WarnIfShortened(asked, askedAt, blob);
            if (GrantedLifetime.AlreadyLater(asked, askedAt, blob) is { } unchanged)
            {
                Console.Error.WriteLine($"granary: note: {unchanged}");
            }
        }, ct));

        var rmTarget = new Argument<string>("BLOB") { Description = "A blob ticket, or a hash." };
        var rm = new Command("rm", "Delete a blob from the silo.") { rmTarget, silo, tokenFile };
        rm.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, parse.GetValue(rmTarget), async (client, _) =>
        {
            Blake3Hash hash = GetBlobCommand.ParseBlob(parse.GetValue(rmTarget)!);
            await client.DeleteAsync(hash, ct).ConfigureAwait(false);
            Console.WriteLine($"deleted {hash}");
        }, ct));

        return [send, get, serve, info, extend, rm];
    }

    private static Option<string> SeedListenOption()
    {
        var listen = new Option<string>("--seed-listen") { Description = "Where a seeder (serve, get --seed) serves QUIC: an address downloaders can reach and a port (0 = any free port).", HelpName = "HOST:PORT", DefaultValueFactory = _ => "127.0.0.1:0" };
        listen.Validators.Add(result =>
        {
            if (!IPEndPoint.TryParse(result.GetValueOrDefault<string>() ?? string.Empty, out _))
            {
                result.AddError($"--seed-listen '{result.GetValueOrDefault<string>()}' is not an IP address and port: use HOST:PORT, e.g. 192.0.2.10:4434 or 127.0.0.1:0.");
            }
        });
        return listen;
    }

    private static Option<string> SeedDataOption() =>
        new("--seed-data") { Description = "Where a seeder keeps its copies and its node key.", HelpName = "DIR", DefaultValueFactory = _ => ".granary-seed" };

    private static void WarnIfShortened(TimeSpan? asked, DateTimeOffset askedAt, BlobInfo granted)
    {
        if (GrantedLifetime.Shortened(asked, askedAt, granted) is { } warning)
        {
            Console.Error.WriteLine($"granary: warning: {warning}");
        }
    }

    private static void Warn(IEnumerable<string> warnings)
    {
        foreach (string warning in warnings)
        {
            Console.Error.WriteLine($"granary: warning: {warning}");
        }
    }

    private static void Print(BlobInfo blob) =>
        Console.WriteLine(
            $"{blob.Hash} size={blob.Size} created={blob.Created:yyyy-MM-ddTHH:mm:ssZ} expires={blob.Expires:yyyy-MM-ddTHH:mm:ssZ}" +
            (blob.Uploader is null ? string.Empty : $" uploader={blob.Uploader}") +
            string.Concat(BlobTags.Parse(blob.Tags).Select(t => $" tag:{t.Key}={t.Value}")));

    private static Dictionary<string, string>? ParseTags(string[]? tags) =>
        tags is not { Length: > 0 }
            ? null
            : tags.Select(t => t.Split('=', 2)).ToDictionary(
                p => p.Length == 2 && p[0].Length > 0 ? p[0] : throw new FormatException($"--tag '{string.Join('=', p)}' is not KEY=VALUE."),
                p => p[1],
                StringComparer.Ordinal);

    /// <summary>30s, 10m, 12h, 7d: a unit is required (see <see cref="Durations.TryParse"/>).</summary>
    internal static TimeSpan? ParseTtl(string? text) =>
        text is null ? null
            : Durations.TryParse(text, "--ttl", out TimeSpan ttl, out string? problem) ? ttl
            : throw new FormatException(problem);

    // At parse time, so that a bad --ttl is a usage error before any file is read or silo contacted.
    private static void ValidateTtl(System.CommandLine.Parsing.OptionResult result)
    {
        if (result.Tokens.Count == 1 && !Durations.TryParse(result.Tokens[0].Value, "--ttl", out _, out string? problem))
        {
            result.AddError(problem!);
        }
    }

    internal static async Task<int> RunAsync(
        ParseResult parse, Option<string?> siloOption, Option<string?> tokenOption, string? blobArgument,
        Func<BlobClient, SiloTicket, Task> work, CancellationToken cancellationToken)
    {
        SiloTicket ticket;
        string token;
        try
        {
            ticket = ResolveSilo(parse.GetValue(siloOption), blobArgument);
            token = ResolveToken(parse.GetValue(tokenOption));
        }
        catch (Exception error) when (error is FormatException or FileNotFoundException)
        {
            // A missing --token-file is a command-line mistake, not a local file failure.
            return Fail(new CommandError(CommandErrorKind.InvalidArgument, error.Message, blobArgument, error), parse);
        }

        try
        {
            await using BlobClient client = await BlobClient.ConnectAsync(ticket, token, cancellationToken).ConfigureAwait(false);
            await work(client, ticket).ConfigureAwait(false);
            return ExitCodes.Done;
        }
        catch (Exception error) when (CommandErrors.From(error, blobArgument) is { Kind: not CommandErrorKind.Cancelled } problem)
        {
            return Fail(WithTokenSource(problem, parse.GetValue(tokenOption)));
        }
    }

    /// <summary>
    /// Runs a command on a client of one silo's own protocol (transfers, gossip topics): resolves
    /// --silo and --token-file, connects, runs <paramref name="work"/>, and turns any failure into
    /// its message and exit code; failures about <paramref name="channel"/> (a transfer channel's
    /// reference, if the command names one) are worded for it (<see cref="CommandErrors.FromChannel"/>).
    /// </summary>
    internal static async Task<int> RunClientAsync<TClient>(
        ParseResult parse, Option<string?> siloOption, Option<string?> tokenOption,
        Func<SiloTicket, string, CancellationToken, Task<TClient>> connect, Func<TClient, Task<int>> work, CancellationToken cancellationToken, string? channel = null)
        where TClient : IAsyncDisposable
    {
        try
        {
            SiloTicket ticket = ResolveSilo(parse.GetValue(siloOption), null);
            string token = ResolveToken(parse.GetValue(tokenOption));
            TClient client = await connect(ticket, token, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await work(client).ConfigureAwait(false);
            }
        }
        catch (FileNotFoundException error)
        {
            return Fail(new CommandError(CommandErrorKind.InvalidArgument, error.Message, null, error), parse);
        }
        catch (Exception error) when ((channel is null ? CommandErrors.From(error, null) : CommandErrors.FromChannel(error, channel)) is { Kind: not CommandErrorKind.Cancelled } problem)
        {
            return Fail(WithTokenSource(problem, parse.GetValue(tokenOption)));
        }
    }

    /// <summary>
    /// A refused token names where it came from: the CLI picks one up by itself (GRANARY_TOKEN, or
    /// ./.granary/admin.token of a silo started here), which may belong to another silo or cluster.
    /// </summary>
    private static CommandError WithTokenSource(CommandError problem, string? tokenFile)
    {
        if (problem.Kind != CommandErrorKind.Unauthorized)
        {
            return problem;
        }

        string source = tokenFile is not null
            ? $"--token-file {tokenFile}"
            : Environment.GetEnvironmentVariable("GRANARY_TOKEN") is { Length: > 0 }
                ? "GRANARY_TOKEN"
                : $"{Silo.SiloHost.TokenPath(".granary")} (the silo started in this directory)";
        return problem with { Reason = $"{problem.Reason} (the token came from {source}; pass --token-file with the admin.token of a silo of the cluster you are asking, or set GRANARY_TOKEN)" };
    }

    /// <summary>
    /// Prints <paramref name="problem"/> on standard error and returns its exit code. With
    /// <paramref name="usage"/> (a mistake in the command's own arguments and options, found before
    /// anything ran) it ends with the pointer to the command's help, as the parser's errors do; a
    /// problem the help does not cover (a bad environment variable, a refusal) gets none.
    /// </summary>
    internal static int Fail(CommandError problem, ParseResult? usage = null)
    {
        ArgumentNullException.ThrowIfNull(problem);

        // File errors in the CLI's own words (errno, what to do); everything else as classified.
        string message = problem is { Kind: CommandErrorKind.LocalFile, Exception: IOException or UnauthorizedAccessException }
            ? IoErrorText.Describe(problem.Exception)
            : problem.Reason;
        Console.Error.WriteLine($"granary: {message}");
        if (usage is not null)
        {
            Console.Error.WriteLine(CommandLineRunner.UsageHint(usage));
        }

        return ExitCodes.For(problem.Kind);
    }

    internal static SiloTicket ResolveSilo(string? option, string? blobArgument)
    {
        if (option is not null)
        {
            return SiloTicket.Parse(option);
        }

        if (blobArgument is not null && !Blake3Hash.TryParse(blobArgument, out _))
        {
            return GetBlobCommand.ParseTicket(blobArgument).Silo;
        }

        if (Environment.GetEnvironmentVariable("GRANARY_SILO") is { Length: > 0 } fromEnvironment)
        {
            return SiloTicket.Parse(fromEnvironment);
        }

        string local = Silo.SiloHost.TicketPath(".granary");
        return File.Exists(local)
            ? SiloTicket.Parse(File.ReadAllText(local))
            : throw new FormatException("no silo given: pass --to/--from TICKET, set GRANARY_SILO, or run a silo here (./build.sh --target=Run writes .granary/silo.ticket).");
    }

    internal static string ResolveToken(string? file)
    {
        if (file is not null)
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : throw new FileNotFoundException($"--token-file {file} does not exist.");
        }

        if (Environment.GetEnvironmentVariable("GRANARY_TOKEN") is { Length: > 0 } token)
        {
            return token;
        }

        string local = Silo.SiloHost.TokenPath(".granary");
        return File.Exists(local)
            ? File.ReadAllText(local).Trim()
            : throw new FileNotFoundException("no token: pass --token-file FILE or set GRANARY_TOKEN to the token itself (a silo writes it to DATA/admin.token).");
    }

    /// <summary>A one-line progress bar on standard error, drawn only on a terminal.</summary>
    private sealed class ProgressBar(long total) : IProgress<long>, IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly bool _visible = !Console.IsErrorRedirected;
        private long _lastDraw;

        public void Report(long done)
        {
            if (!_visible || _clock.ElapsedMilliseconds - _lastDraw < 200)
            {
                return;
            }

            _lastDraw = _clock.ElapsedMilliseconds;
            double percent = total == 0 ? 100 : 100.0 * done / total;
            double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 0.001) / 1e6;
            Console.Error.Write($"\r{percent,5:0.0}%  {done / 1048576.0,9:0.0} / {total / 1048576.0:0.0} MiB  {rate,8:0.0} MB/s ");
        }

        public void Done()
        {
            if (_visible)
            {
                Console.Error.Write('\r' + new string(' ', 60) + '\r');
            }
        }

        public void Dispose() => _clock.Stop();
    }
}
