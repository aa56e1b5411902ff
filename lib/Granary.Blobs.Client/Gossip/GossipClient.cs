using System.Runtime.CompilerServices;
using System.Text;
using Granary.Blobs.Protocol;
using Granary.Gossip.Proto;
using Granary.Gossip.Topics;

namespace Granary.Blobs.Client.Gossip;

/// <summary>
/// A client of one silo's gossip topics (<c>granary/topics/1</c>): subscribe (a stream of
/// <see cref="TopicEvent"/>s), publish, and list the cluster's topics. The silo joins the topic's
/// swarm among the silos on the client's behalf. What the CLI's <c>granary gossip</c> and
/// <c>granary cluster watch</c> and the <c>*-GossipMessage</c> cmdlets use. Every request carries
/// the cluster's admin token.
/// </summary>
public sealed class GossipClient : IAsyncDisposable
{
    private readonly SiloSession _session;
    private readonly byte[] _token;

    private GossipClient(SiloSession session, SiloTicket silo, string token)
    {
        (_session, Silo) = (session, silo);
        _token = Encoding.UTF8.GetBytes(token);
    }

    /// <summary>The silo this client talks to.</summary>
    public SiloTicket Silo { get; }

    /// <summary>Connects to <paramref name="silo"/>; the token is checked with the first request.</summary>
    /// <exception cref="Granary.Transport.QuicException">The silo could not be reached or is not that node.</exception>
    public static async Task<GossipClient> ConnectAsync(SiloTicket silo, string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(token);
        return new GossipClient(await SiloSession.ConnectAsync(silo, TopicsProtocol.Alpn, cancellationToken).ConfigureAwait(false), silo, token);
    }

    /// <summary>
    /// Subscribes to <paramref name="topic"/> through the silo: its events as they happen, starting
    /// with <see cref="TopicEventKind.Joined"/> once the silo is in the swarm, until cancelled (or
    /// the silo stops: the sequence ends).
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="name">Its name, if known (the silo records it for <see cref="ListAsync"/>).</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <exception cref="BlobProtocolException">Refused (401 wrong token, 503 the silo is stopping).</exception>
    public async IAsyncEnumerable<TopicEvent> SubscribeAsync(TopicId topic, string? name, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using Granary.Transport.QuicStream stream = await SendAsync(new TopicSubscribeRequest(topic, name), cancellationToken).ConfigureAwait(false);
        await foreach (TopicEvent @event in BlobReply.ReadSeriesAsync<TopicEvent>(stream, cancellationToken).ConfigureAwait(false))
        {
            yield return @event;
        }
    }

    /// <summary>Most content a publish can carry in one request block: 15 KiB (the silos' own limit, 4 KiB by default, is usually lower and answered with 413).</summary>
    public const int MaxContent = MetadataBlock.MaxLength - 1024;

    /// <summary>Publishes <paramref name="content"/> on <paramref name="topic"/> through the silo; returns once the silo handed it to the swarm.</summary>
    /// <returns>False if an identical message went out on the topic within the last 90 s: a message's id is its content's hash, so the swarm delivered this one to no one.</returns>
    /// <param name="topic">The topic.</param>
    /// <param name="name">Its name, if known.</param>
    /// <param name="content">At most the silos' message size limit (4 KiB by default).</param>
    /// <param name="scope">The whole swarm (default), or the silo's direct neighbours only.</param>
    /// <param name="cancellationToken">Cancels the wait for the answer.</param>
    /// <exception cref="BlobProtocolException">Refused (401 wrong token, 403 a client publishing on the cluster-events topic, 413 too large, 503 the silo is stopping).</exception>
    /// <exception cref="ArgumentException"><paramref name="content"/> is over <see cref="MaxContent"/>.</exception>
    public async Task<bool> PublishAsync(TopicId topic, string? name, ReadOnlyMemory<byte> content, DeliveryScope scope = DeliveryScope.Swarm, CancellationToken cancellationToken = default)
    {
        if (content.Length > MaxContent)
        {
            // No parameter name: the sentence is for the person who typed the message.
#pragma warning disable CA2208
            throw new ArgumentException($"The message is {content.Length} bytes; a gossip message is at most 4096 bytes unless the silos allow more (and never over {MaxContent}).");
#pragma warning restore CA2208
        }

        await using Granary.Transport.QuicStream stream = await SendAsync(new TopicPublishRequest(topic, name, content, scope), cancellationToken).ConfigureAwait(false);
        return !(await BlobReply.ReadAsync<TopicPublished>(stream, cancellationToken).ConfigureAwait(false)).Duplicate;
    }

    /// <summary>Every topic the cluster knows, oldest first, with the silos in its swarm now.</summary>
    /// <exception cref="BlobProtocolException">Refused (401 wrong token).</exception>
    public async Task<IReadOnlyList<TopicReport>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using Granary.Transport.QuicStream stream = await SendAsync(new TopicListRequest(), cancellationToken).ConfigureAwait(false);
        var reports = new List<TopicReport>();
        await foreach (TopicReport report in BlobReply.ReadSeriesAsync<TopicReport>(stream, cancellationToken).ConfigureAwait(false))
        {
            reports.Add(report);
        }

        return reports;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private async Task<Granary.Transport.QuicStream> SendAsync(TopicRequest request, CancellationToken cancellationToken)
    {
        Granary.Transport.QuicStream stream = await _session.Connection.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await (request with { Token = _token }).ToBlock().WriteAsync(stream, cancellationToken).ConfigureAwait(false);
            stream.CompleteWrites();
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
