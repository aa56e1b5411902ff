using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;
using Granary.Hashing;

namespace Granary.Blobs.Client.Gossip;

/// <summary>
/// Provider discovery on gossip (iroh's content discovery, narrowed to one topic per blob): a
/// downloader asks a blob's provider topic who has it (<see cref="FindAsync"/>), and a seeder
/// answers every such question and announces itself once (<see cref="ServeAsync"/>). What
/// <c>granary get --swarm</c> and <c>granary serve</c> / <c>get --seed</c> use.
/// </summary>
public static class ProviderDiscovery
{
    /// <summary>Most providers one question collects: 16.</summary>
    public const int MaxProviders = 16;

    /// <summary>
    /// Asks <paramref name="hash"/>'s provider topic who has it and collects the answers for
    /// <paramref name="wait"/> (or until <see cref="MaxProviders"/> answered).
    /// </summary>
    /// <returns>The providers that answered, each once, in the order they did.</returns>
    /// <exception cref="BlobProtocolException">The silo refused the subscription or the question.</exception>
    public static async Task<IReadOnlyList<SiloTicket>> FindAsync(GossipClient client, Blake3Hash hash, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        string name = ProviderMessage.TopicFor(hash);
        TopicId topic = TopicId.FromName(name);
        var found = new List<SiloTicket>();
        ProviderMessage question = ProviderMessage.Wanting(hash);
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (TopicEvent e in client.SubscribeAsync(topic, name, window.Token).ConfigureAwait(false))
            {
                if (e.Kind == TopicEventKind.Joined)
                {
                    // Only now is the question sure to reach the swarm and its answers this subscriber.
                    window.CancelAfter(wait);
                    await client.PublishAsync(topic, name, question.ToBytes(), DeliveryScope.Swarm, window.Token).ConfigureAwait(false);
                }
                else if (e.Kind == TopicEventKind.Received
                    && ProviderMessage.TryParse(e.Content.Span) is { } answer
                    && answer.Nonce == question.Nonce // answers to this question only, not old announcements replayed at it
                    && answer.ProviderOf(hash) is { } provider
                    && !found.Any(f => f.Node == provider.Node))
                {
                    found.Add(provider);
                    if (found.Count == MaxProviders)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait is over.
        }

        return found;
    }

    /// <summary>
    /// The providers of <paramref name="candidates"/> that accept a connection within
    /// <paramref name="timeout"/>, tried all at once: anyone holding the token can answer a
    /// question with made-up seeders, and tried one after another each would cost its own connect
    /// timeout (an attack stalled a download for two minutes with sixteen).
    /// </summary>
    public static async Task<IReadOnlyList<SiloTicket>> ReachableAsync(IReadOnlyList<SiloTicket> candidates, SiloConnector connect, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(connect);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        bool[] reached = await Task.WhenAll(candidates.Select(async candidate =>
        {
            try
            {
                BlobClient client = await connect(candidate, limit.Token).ConfigureAwait(false);
                await client.DisposeAsync().ConfigureAwait(false);
                return true;
            }
            catch (Exception error) when (error is OperationCanceledException or Granary.Transport.QuicException or BlobProtocolException)
            {
                return false;
            }
        })).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return [.. candidates.Where((_, i) => reached[i])];
    }

    /// <summary>
    /// Serves <paramref name="hashes"/>' provider topics as <paramref name="self"/> until cancelled:
    /// announces each once, then answers every question about it. <paramref name="answered"/> is
    /// told each question answered (the hash).
    /// </summary>
    /// <exception cref="BlobProtocolException">The silo refused a subscription.</exception>
    public static Task ServeAsync(GossipClient client, IReadOnlyList<Blake3Hash> hashes, SiloTicket self, Action<Blake3Hash>? answered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(hashes);
        return Task.WhenAll(hashes.Select(hash => ServeOneAsync(client, hash, self, answered, cancellationToken)));
    }

    private static async Task ServeOneAsync(GossipClient client, Blake3Hash hash, SiloTicket self, Action<Blake3Hash>? answered, CancellationToken cancellationToken)
    {
        string name = ProviderMessage.TopicFor(hash);
        TopicId topic = TopicId.FromName(name);
        await foreach (TopicEvent e in client.SubscribeAsync(topic, name, cancellationToken).ConfigureAwait(false))
        {
            ProviderMessage? answer = e.Kind switch
            {
                TopicEventKind.Joined => ProviderMessage.Having(hash, self),
                TopicEventKind.Received when ProviderMessage.TryParse(e.Content.Span) is { Want: { } want } question && want == hash.ToString() => ProviderMessage.Having(hash, self, question.Nonce),
                _ => null,
            };
            if (answer is not null)
            {
                await client.PublishAsync(topic, name, answer.ToBytes(), DeliveryScope.Swarm, cancellationToken).ConfigureAwait(false);
                if (e.Kind == TopicEventKind.Received)
                {
                    answered?.Invoke(hash);
                }
            }
        }
    }
}
