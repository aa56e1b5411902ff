namespace Granary.Gossip.Sim;

/// <summary>How long a message takes over one link in the simulator.</summary>
public abstract record LatencyModel
{
    private LatencyModel()
    {
    }

    /// <summary>Draws one message's latency.</summary>
    public abstract TimeSpan Sample(Random random);

    /// <summary>Every message takes <paramref name="Latency"/>.</summary>
    /// <param name="Latency">The latency.</param>
    public sealed record Fixed(TimeSpan Latency) : LatencyModel
    {
        /// <inheritdoc/>
        public override TimeSpan Sample(Random random) => Latency;

        /// <summary>"static 50 ms".</summary>
        public override string ToString() => $"static {Latency.TotalMilliseconds:0} ms";
    }

    /// <summary>Each message takes a latency drawn uniformly from [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
    /// <param name="Min">The shortest.</param>
    /// <param name="Max">The longest.</param>
    public sealed record Uniform(TimeSpan Min, TimeSpan Max) : LatencyModel
    {
        /// <inheritdoc/>
        public override TimeSpan Sample(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            return Min + ((Max - Min) * random.NextDouble());
        }

        /// <summary>"random 10–100 ms".</summary>
        public override string ToString() => $"random {Min.TotalMilliseconds:0}-{Max.TotalMilliseconds:0} ms";
    }
}
