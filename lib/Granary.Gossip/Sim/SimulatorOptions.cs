using Granary.Gossip.Proto;

namespace Granary.Gossip.Sim;

/// <summary>A simulated swarm: how many nodes, how links behave, the seed.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Nodes in the swarm (numbered 0 to Nodes − 1): 100.</summary>
    public int Nodes { get; init; } = 100;

    /// <summary>Per-message link latency: static 50 ms.</summary>
    public LatencyModel Latency { get; init; } = new LatencyModel.Fixed(TimeSpan.FromMilliseconds(50));

    /// <summary>Probability that a message is lost, 0 to 1: 0.</summary>
    public double LossRate { get; init; }

    /// <summary>How long a node takes to notice that a neighbour crashed (its link's keep-alive timing out): 1 s.</summary>
    public TimeSpan FailureDetection { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The seed of every random choice (latencies, losses, the protocol's own): 1. Same seed, same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The protocol's parameters: iroh-gossip's defaults.</summary>
    public GossipOptions Gossip { get; init; } = new();

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (Nodes is < 2 or > 100_000)
        {
            throw new ArgumentException($"SimulatorOptions.Nodes must be 2 to 100000, not {Nodes}.");
        }

        if (LossRate is < 0 or >= 1 || FailureDetection <= TimeSpan.Zero)
        {
            throw new ArgumentException("SimulatorOptions.LossRate must be in [0, 1) and FailureDetection positive.");
        }

        Gossip.Validate();
    }
}
