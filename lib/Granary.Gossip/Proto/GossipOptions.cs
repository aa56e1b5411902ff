namespace Granary.Gossip.Proto;

/// <summary>
/// HyParView's and PlumTree's parameters for one topic. The defaults are iroh-gossip's (which
/// take HyParView's from Leitão, Pereira and Rodrigues, "HyParView: a membership protocol for
/// reliable gossip-based broadcast", DSN 2007, and PlumTree's from Leitão, Pereira and Rodrigues,
/// "Epidemic Broadcast Trees", SRDS 2007).
/// </summary>
public sealed class GossipOptions
{
    /// <summary>Active view size (peers with an open link): 5.</summary>
    public int ActiveViewCapacity { get; init; } = 5;

    /// <summary>Passive view size (known peers kept for repair): 30.</summary>
    public int PassiveViewCapacity { get; init; } = 30;

    /// <summary>Active random walk length (ARWL): hops a forward-join travels: 6.</summary>
    public int ActiveRandomWalkLength { get; init; } = 6;

    /// <summary>Passive random walk length (PRWL): at this many hops left a forward-join also lands in a passive view: 3.</summary>
    public int PassiveRandomWalkLength { get; init; } = 3;

    /// <summary>Hops a shuffle travels: 6.</summary>
    public int ShuffleRandomWalkLength { get; init; } = 6;

    /// <summary>Active peers sent in a shuffle: 3.</summary>
    public int ShuffleActiveCount { get; init; } = 3;

    /// <summary>Passive peers sent in a shuffle: 4.</summary>
    public int ShufflePassiveCount { get; init; } = 4;

    /// <summary>Time between shuffles: 60 s.</summary>
    public TimeSpan ShuffleInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a refused or failed neighbour request waits before the next try from the passive view: 500 ms.</summary>
    public TimeSpan NeighborRequestTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>PlumTree: wait after the first IHave of a missing message before grafting: 80 ms.</summary>
    public TimeSpan GraftTimeout1 { get; init; } = TimeSpan.FromMilliseconds(80);

    /// <summary>PlumTree: wait between grafts to further announcers of a still missing message: 40 ms.</summary>
    public TimeSpan GraftTimeout2 { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>PlumTree: IHaves are gathered this long and sent as one message per peer: 5 ms.</summary>
    public TimeSpan DispatchTimeout { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>PlumTree: an IHave this many rounds shorter than the eager path re-shapes the tree (graft it, prune the eager one): 7.</summary>
    public int OptimizationThreshold { get; init; } = 7;

    /// <summary>How long a message's content is kept to answer grafts: 30 s.</summary>
    public TimeSpan MessageCacheDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a message id is remembered (a later copy is a duplicate): 90 s.</summary>
    public TimeSpan MessageIdRetention { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How often expired content and ids are dropped: 1 s.</summary>
    public TimeSpan EvictInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest broadcast content, bytes: 4096 (at least 512).</summary>
    public int MaxMessageSize { get; init; } = 4096;

    /// <summary>Most ids one IHave message carries: 256.</summary>
    public int MaxIHaveBatch { get; init; } = 256;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value out of range, naming it.</exception>
    public void Validate()
    {
        Check(ActiveViewCapacity is >= 1 and <= 64, $"ActiveViewCapacity must be 1 to 64, not {ActiveViewCapacity}.");
        Check(PassiveViewCapacity is >= 1 and <= 1024, $"PassiveViewCapacity must be 1 to 1024, not {PassiveViewCapacity}.");
        Check(ActiveRandomWalkLength >= 1 && PassiveRandomWalkLength >= 1 && PassiveRandomWalkLength <= ActiveRandomWalkLength, "The random walk lengths must be at least 1, and PassiveRandomWalkLength at most ActiveRandomWalkLength.");
        Check(ShuffleRandomWalkLength >= 1 && ShuffleActiveCount >= 0 && ShufflePassiveCount >= 0, "ShuffleRandomWalkLength must be at least 1 and the shuffle counts not negative.");
        Check(MaxMessageSize >= 512, $"MaxMessageSize must be at least 512 bytes, not {MaxMessageSize}.");
        Check(MaxIHaveBatch >= 1, "MaxIHaveBatch must be at least 1.");
        Check(OptimizationThreshold >= 1, "OptimizationThreshold must be at least 1.");
        Check(new[] { ShuffleInterval, NeighborRequestTimeout, GraftTimeout1, GraftTimeout2, DispatchTimeout, MessageCacheDuration, MessageIdRetention, EvictInterval }.All(t => t > TimeSpan.Zero), "Every interval and timeout must be positive.");
        Check(MessageIdRetention >= MessageCacheDuration, "MessageIdRetention must be at least MessageCacheDuration.");
    }

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException($"GossipOptions: {message}");
        }
    }
}
