using Granary.Blobs.Client.Gossip;
using Granary.Blobs.Commands;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.PowerShell;

/// <summary>
/// Base of the gossip cmdlets (<c>Receive-GossipMessage</c>, <c>Send-GossipMessage</c>,
/// <c>Get-GossipTopic</c>, <c>Watch-GranaryCluster</c>): one <see cref="GossipClient"/> to the
/// session's silo for the whole pipeline, and a subscription turned into output objects. Each
/// cmdlet declares its own parameters.
/// </summary>
public abstract class GossipCmdlet : GranaryCmdlet
{
    private GossipClient? _client;

    /// <summary>Runs <paramref name="work"/> with a gossip client to the silo of <paramref name="explicitSession"/> (else the default session's).</summary>
    protected void RunGossip(GranarySession? explicitSession, Func<GossipClient, ICommandHost, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        GranarySession session = ResolveSession(explicitSession);
        Run(async host =>
        {
            _client ??= await session.ConnectGossipAsync(host.CancellationToken).ConfigureAwait(false);
            await work(_client, host).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Subscribes to <paramref name="topic"/> and hands each message to <paramref name="output"/>
    /// until it has taken <paramref name="count"/> (it returns false for one it did not output), or
    /// Ctrl-C; a loss from reading too slowly is a
    /// warning. The silo ending the subscription (it is stopping) is an error.
    /// </summary>
    protected static async Task FollowAsync(GossipClient client, TopicId topic, string? name, int? count, ICommandHost host, Func<TopicEvent, bool> output)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(output);
        int received = 0;
        await foreach (TopicEvent e in client.SubscribeAsync(topic, name, host.CancellationToken).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case TopicEventKind.Joined:
                    host.Verbose($"Subscribed to {name ?? topic.ToString()} ({topic}) through {client.Silo}; {e.Count} other silos in its swarm.");
                    break;
                case TopicEventKind.Received:
                    if (output(e) && ++received == count)
                    {
                        return;
                    }

                    break;
                case TopicEventKind.Lagged:
                    host.Warning($"{e.Count} gossip events were dropped: this reader fell behind.");
                    break;
                case TopicEventKind.NeighborUp or TopicEventKind.NeighborDown:
                    host.Verbose($"Neighbour {(e.Kind == TopicEventKind.NeighborUp ? "up" : "down")}: {e.From}.");
                    break;
            }
        }

        throw new GranaryCommandException(new(CommandErrorKind.Unreachable, $"The silo {client.Silo} ended the subscription to {name ?? topic.ToString()} (it is stopping): subscribe through another silo.", topic.ToString()));
    }
}
