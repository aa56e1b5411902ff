using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Protocol;
using Granary.Cli.Blobs;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.Cli.Gossip;

/// <summary>
/// <c>granary gossip subscribe|publish|topics</c> and <c>granary cluster watch</c>: gossip topics
/// through any silo of the cluster (the silo joins the topic's swarm for its clients).
/// </summary>
internal static class GossipCommands
{
    /// <summary>Largest message read from standard input for a publish: 64 KiB (the silos refuse more than their limit, 4 KiB by default).</summary>
    private const int MaxInput = 64 * 1024;

    public static Command Create()
    {
        var silo = new Option<string?>("--silo") { Description = "A silo of this cluster (ticket). Default: GRANARY_SILO, then .granary/silo.ticket.", HelpName = "TICKET" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding this cluster's token. Default: GRANARY_TOKEN, then .granary/admin.token.", HelpName = "FILE" };
        var topic = new Argument<string>("TOPIC") { Description = "The topic: a name (any text; its BLAKE3 hash is the topic id) or a topic id (64 hex digits)." };
        topic.Validators.Add(result =>
        {
            if (string.IsNullOrEmpty(result.GetValueOrDefault<string>()))
            {
                result.AddError("TOPIC is empty: give a topic's name (any text) or its id (64 hex digits, as 'granary gossip topics' lists them).");
            }
        });
        Option<int?> count = OptionValues.OptionalInteger("--count", 1, int.MaxValue, string.Empty);
        count.Description = "Exit (0) after this many messages. Default: run until Ctrl-C.";
        count.HelpName = "N";
        var json = new Option<bool>("--json") { Description = "One JSON object per message (time, from, hops, scope, content as text or contentBase64) instead of the message's text." };
        var events = new Option<bool>("--events") { Description = "Also report on standard error when the silo's neighbours in the swarm come and go." };

        var subscribe = new Command("subscribe", "Print each message published on a topic, one per line, as it arrives, until Ctrl-C (or --count). Messages published before you subscribed are not replayed.") { topic, count, json, events, silo, tokenFile };
        subscribe.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, client =>
        {
            string text = parse.GetValue(topic)!;
            return FollowAsync(client, TopicId.FromText(text), TopicId.NameOf(text), parse.GetValue(count), parse.GetValue(events), e => Console.WriteLine(parse.GetValue(json) ? Json(e) : RemoteText.Printable(Text(e.Content.Span))), ct);
        }, ct));

        var message = new Argument<string?>("MESSAGE") { Description = "The message's text; none or '-': read it from standard input (up to the silos' limit, 4 KiB by default).", Arity = ArgumentArity.ZeroOrOne };
        var neighbors = new Option<bool>("--neighbors") { Description = "Only to the silo's direct neighbours in the swarm, who do not pass it on. Default: the whole swarm." };
        var publish = new Command("publish", "Publish a message on a topic: every subscriber, through any silo, receives it once (best effort: no replay, no order across publishers).") { topic, message, neighbors, silo, tokenFile };
        publish.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, async client =>
        {
            string text = parse.GetValue(topic)!;
            byte[] content = parse.GetValue(message) is { } given and not "-" ? Encoding.UTF8.GetBytes(given) : await ReadInputAsync(ct).ConfigureAwait(false);
            if (!await client.PublishAsync(TopicId.FromText(text), TopicId.NameOf(text), content, parse.GetValue(neighbors) ? DeliveryScope.Neighbors : DeliveryScope.Swarm, ct).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync("granary: warning: an identical message went out on this topic less than 90 s ago; a message's id is its content's hash, so this repeat reached no one (add a counter or a time to make messages distinct)").ConfigureAwait(false);
            }

            return ExitCodes.Done;
        }, ct));

        var topics = new Command("topics", "List the cluster's topics: id, name, when created, and the silos in each swarm now.") { silo, tokenFile };
        topics.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, async client =>
        {
            IReadOnlyList<TopicReport> reports = await client.ListAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"{"TOPIC",-64}  {"CREATED",-20}  {"SILOS",5}  NAME");
            foreach (TopicReport r in reports)
            {
                Console.WriteLine($"{r.Topic,-64}  {r.Created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20}  {r.Silos.Count,5}  {r.Name ?? "-"}");
            }

            return ExitCodes.Done;
        }, ct));

        return new Command("gossip", "Gossip topics: publish and subscribe through any silo (HyParView membership, PlumTree broadcast among the silos).") { subscribe, publish, topics };
    }

    /// <summary><c>granary cluster watch</c>: the cluster-events topic as lines.</summary>
    public static Command Watch(Option<string?> silo, Option<string?> tokenFile)
    {
        Option<int?> count = OptionValues.OptionalInteger("--count", 1, int.MaxValue, string.Empty);
        count.Description = "Exit (0) after this many events. Default: run until Ctrl-C.";
        count.HelpName = "N";
        var watch = new Command("watch", "Print the cluster's events as they happen, until Ctrl-C: silos starting, stopping, draining, changing membership status, and repair backlogs changing.") { count, silo, tokenFile };
        watch.SetAction((parse, ct) => RunAsync(parse, silo, tokenFile, client =>
            FollowAsync(client, TopicId.FromName(TopicsProtocol.ClusterEventsTopic), TopicsProtocol.ClusterEventsTopic, parse.GetValue(count), events: false, e =>
                Console.WriteLine(ClusterEvent.TryParse(e.Content.Span)?.ToString() ?? RemoteText.Printable(Text(e.Content.Span))), ct), ct));
        return watch;
    }

    private static Task<int> RunAsync(ParseResult parse, Option<string?> silo, Option<string?> tokenFile, Func<GossipClient, Task<int>> work, CancellationToken cancellationToken) =>
        BlobCommands.RunClientAsync(parse, silo, tokenFile, GossipClient.ConnectAsync, work, cancellationToken);

    /// <summary>Subscribes and hands each message to <paramref name="print"/>; the exit code says how it ended.</summary>
    private static async Task<int> FollowAsync(GossipClient client, TopicId topic, string? name, int? count, bool events, Action<TopicEvent> print, CancellationToken cancellationToken)
    {
        int received = 0;
        try
        {
            await foreach (TopicEvent e in client.SubscribeAsync(topic, name, cancellationToken).ConfigureAwait(false))
            {
                switch (e.Kind)
                {
                    case TopicEventKind.Joined:
                        await Console.Error.WriteLineAsync($"granary: subscribed to {name ?? topic.ToString()} through {client.Silo} ({e.Count} other silo{(e.Count == 1 ? string.Empty : "s")} in its swarm); Ctrl-C to stop").ConfigureAwait(false);
                        break;
                    case TopicEventKind.Received:
                        print(e);
                        if (++received == count)
                        {
                            return ExitCodes.Done;
                        }

                        break;
                    case TopicEventKind.Lagged:
                        await Console.Error.WriteLineAsync($"granary: {e.Count} events were dropped: this reader fell behind").ConfigureAwait(false);
                        break;
                    case TopicEventKind.NeighborUp or TopicEventKind.NeighborDown when events:
                        await Console.Error.WriteLineAsync($"granary: {(e.Kind == TopicEventKind.NeighborUp ? "neighbour up" : "neighbour down")}: {e.From}").ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }

        await Console.Error.WriteLineAsync("granary: the silo ended the subscription (it is stopping); subscribe through another silo").ConfigureAwait(false);
        return ExitCodes.Unavailable;
    }

    private static async Task<byte[]> ReadInputAsync(CancellationToken cancellationToken)
    {
        using Stream input = Console.OpenStandardInput();
        byte[] buffer = new byte[MaxInput + 1];
        int length = 0;
        while (length < buffer.Length && await input.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false) is > 0 and var read)
        {
            length += read;
        }

        return length > MaxInput
            ? throw new FormatException($"standard input holds more than {MaxInput} bytes; a gossip message is at most 4 KiB unless the silos allow more")
            : buffer[..length];
    }

    private static string Text(ReadOnlySpan<byte> content) => Encoding.UTF8.GetString(content).TrimEnd('\n', '\r');

    private static string Json(TopicEvent e)
    {
        bool text = IsUtf8(e.Content.Span);
        var fields = new Dictionary<string, object?>
        {
            ["time"] = DateTimeOffset.UtcNow,
            ["from"] = e.From?.ToString(),
            ["hops"] = e.Hops,
            ["scope"] = e.Scope == DeliveryScope.Swarm ? "swarm" : "neighbors",
            [text ? "content" : "contentBase64"] = text ? Encoding.UTF8.GetString(e.Content.Span) : Convert.ToBase64String(e.Content.Span),
        };
        return JsonSerializer.Serialize(fields);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> content) => System.Text.Unicode.Utf8.IsValid(content);
}
